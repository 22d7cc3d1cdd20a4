import { useEffect, useState } from 'react';
import type { DirectoryContact } from '../../../src/server/tab-api-types';
import type { ApiClient } from '../api/client';

/** The contact's photo as an object URL (fetched with the bearer token), revoked when no longer shown. */
export function useContactPhoto(api: ApiClient, contact: Pick<DirectoryContact, 'id' | 'hasPhoto'> | undefined): string | undefined {
  const [url, setUrl] = useState<string | undefined>();
  const id = contact?.hasPhoto ? contact.id : undefined;
  useEffect(() => {
    setUrl(undefined);
    if (!id) return;
    const abort = new AbortController();
    let made: string | undefined;
    api.blobUrl(`/directory/${encodeURIComponent(id)}/photo`, abort.signal).then(
      (u) => {
        made = u;
        if (!abort.signal.aborted) setUrl(u);
        else if (u) URL.revokeObjectURL(u);
      },
      // No photo is not an error worth showing: the card falls back to initials.
      () => undefined,
    );
    return () => {
      abort.abort();
      if (made) URL.revokeObjectURL(made);
    };
  }, [api, id]);
  return url;
}
