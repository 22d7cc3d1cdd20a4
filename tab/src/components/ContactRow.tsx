import { Avatar, Text, makeStyles, mergeClasses, tokens, useRestoreFocusTarget } from '@fluentui/react-components';
import type { DirectoryContact } from '../../../src/server/tab-api-types';

export const CONTACT_ROW_HEIGHT = 60;

const useStyles = makeStyles({
  row: {
    display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, width: '100%', height: `${CONTACT_ROW_HEIGHT}px`, boxSizing: 'border-box',
    paddingInline: tokens.spacingHorizontalM, border: 'none', borderBottom: `1px solid ${tokens.colorNeutralStroke3}`, background: 'transparent',
    color: tokens.colorNeutralForeground1, textAlign: 'start', cursor: 'pointer', fontFamily: tokens.fontFamilyBase,
    ':hover': { backgroundColor: tokens.colorSubtleBackgroundHover },
    ':focus-visible': { outline: `2px solid ${tokens.colorStrokeFocus2}`, outlineOffset: '-2px' },
  },
  text: { display: 'flex', flexDirection: 'column', minWidth: 0 },
  line: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  secondary: { color: tokens.colorNeutralForeground2 },
});

/** What the second line of a row says about someone: title, department, office, whichever are known. */
export function contactSummary(c: Pick<DirectoryContact, 'jobTitle' | 'department' | 'officeLocation'>): string {
  return [c.jobTitle, c.department, c.officeLocation].filter(Boolean).join(' · ');
}

export function displayNameOf(c: Pick<DirectoryContact, 'displayName' | 'mail' | 'userPrincipalName'>): string {
  return c.displayName ?? c.mail ?? c.userPrincipalName ?? 'Unnamed contact';
}

/** One person in the directory list; a button that opens their contact card. */
export function ContactRow({ contact, index, onOpen }: { contact: DirectoryContact; index: number; onOpen: (c: DirectoryContact) => void }) {
  const styles = useStyles();
  const name = displayNameOf(contact);
  const summary = contactSummary(contact);
  // When the contact card closes, focus comes back to the row that opened it.
  const restoreFocus = useRestoreFocusTarget();
  return (
    <button type="button" {...restoreFocus} className={styles.row} data-testid="contact-row" data-contact-id={contact.id} data-row-index={index} onClick={() => onOpen(contact)}>
      {/* Initials only: photos load in the card, not for each of thousands of rows scrolled past. */}
      <Avatar name={name} size={36} aria-hidden="true" />
      <span className={styles.text}>
        <Text weight="semibold" className={styles.line}>
          {name}
        </Text>
        {summary && <Text size={200} className={mergeClasses(styles.line, styles.secondary)}>{summary}</Text>}
      </span>
    </button>
  );
}
