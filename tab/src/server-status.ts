export interface ServerStatus {
  status: string;
  version: string;
}

/** Reads the server's liveness endpoint; the shell shows it so a first run can see the server is up. */
export async function fetchServerStatus(signal?: AbortSignal): Promise<ServerStatus> {
  const res = await fetch('/healthz', { signal, headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`Server answered ${res.status}`);
  return (await res.json()) as ServerStatus;
}
