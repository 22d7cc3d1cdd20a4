import { Spinner, makeStyles, tokens } from '@fluentui/react-components';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, type KeyboardEvent } from 'react';
import type { DirectoryContact } from '../../../src/server/tab-api-types';
import { CONTACT_ROW_HEIGHT, ContactRow } from './ContactRow';

const useStyles = makeStyles({
  scroller: { flex: 1, minHeight: 0, overflowY: 'auto', border: `1px solid ${tokens.colorNeutralStroke2}`, borderRadius: tokens.borderRadiusMedium },
  sizer: { position: 'relative', width: '100%' },
  item: { position: 'absolute', top: 0, left: 0, width: '100%' },
  loader: { display: 'flex', alignItems: 'center', justifyContent: 'center', height: `${CONTACT_ROW_HEIGHT}px` },
});

/** Start fetching the next page this many rows before its end, so scrolling rarely meets the loader. */
const PREFETCH_ROWS = 40;

export interface ContactListProps {
  contacts: DirectoryContact[];
  total: number;
  hasMore: boolean;
  loadingMore: boolean;
  busy: boolean;
  /** Changes with the search and filters the contacts answer: a new one starts at the top. */
  queryKey: string;
  onLoadMore: () => void;
  onOpen: (contact: DirectoryContact) => void;
}

/**
 * The directory as a virtualised list: only the rows in view (plus a margin) exist in the DOM, so a
 * directory of 100,000 scrolls as smoothly as one of 30. Reaching the end loads the next page.
 * Arrow keys, Home and End move between people; Enter opens the card.
 */
export function ContactList({ contacts, total, hasMore, loadingMore, busy, queryKey, onLoadMore, onOpen }: ContactListProps) {
  const styles = useStyles();
  const scroller = useRef<HTMLDivElement>(null);
  const count = contacts.length + (hasMore ? 1 : 0);
  const virtualizer = useVirtualizer({ count, getScrollElement: () => scroller.current, estimateSize: () => CONTACT_ROW_HEIGHT, overscan: 10 });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? -1;

  useEffect(() => {
    if (hasMore && !loadingMore && lastIndex >= contacts.length - PREFETCH_ROWS) onLoadMore();
  }, [hasMore, loadingMore, lastIndex, contacts.length, onLoadMore]);

  // A new search or filter starts at the top. Set on the element itself: the virtualiser follows
  // scroll events, and its own scroll-to keeps correcting towards a target, fighting the user's scrolling.
  const shownQuery = useRef(queryKey);
  useEffect(() => {
    if (shownQuery.current === queryKey) return;
    shownQuery.current = queryKey;
    scroller.current?.scrollTo({ top: 0 });
  }, [queryKey]);

  // Keyboard focus may have to move to a row that is not rendered yet: scroll there, then focus it.
  const pendingFocus = useRef<number | undefined>(undefined);
  useEffect(() => {
    const index = pendingFocus.current;
    if (index === undefined) return;
    const row = scroller.current?.querySelector<HTMLButtonElement>(`[data-row-index="${index}"]`);
    if (row) {
      pendingFocus.current = undefined;
      row.focus();
    }
  });

  const onKeyDown = useCallback(
    (e: KeyboardEvent<HTMLDivElement>) => {
      const current = Number((e.target as HTMLElement).dataset.rowIndex);
      if (Number.isNaN(current) || contacts.length === 0) return;
      const next = e.key === 'ArrowDown' ? current + 1 : e.key === 'ArrowUp' ? current - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? contacts.length - 1 : undefined;
      if (next === undefined) return;
      e.preventDefault();
      const target = Math.max(0, Math.min(contacts.length - 1, next));
      pendingFocus.current = target;
      virtualizer.scrollToIndex(target, { align: 'auto' });
      const row = scroller.current?.querySelector<HTMLButtonElement>(`[data-row-index="${target}"]`);
      if (row) {
        pendingFocus.current = undefined;
        row.focus();
      }
    },
    [contacts.length, virtualizer],
  );

  return (
    <div ref={scroller} className={styles.scroller} data-testid="directory-list" onKeyDown={onKeyDown}>
      <div className={styles.sizer} style={{ height: virtualizer.getTotalSize() }} role="list" aria-label="Contacts" aria-busy={busy}>
        {items.map((item) => {
          const contact = contacts[item.index];
          return (
            <div
              key={contact?.id ?? 'loader'}
              className={styles.item}
              style={{ height: item.size, transform: `translateY(${item.start}px)` }}
              role="listitem"
              aria-setsize={total}
              aria-posinset={item.index + 1}
            >
              {contact ? (
                <ContactRow contact={contact} index={item.index} onOpen={onOpen} />
              ) : (
                <div className={styles.loader}>
                  <Spinner size="tiny" label="Loading more people…" />
                </div>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}
