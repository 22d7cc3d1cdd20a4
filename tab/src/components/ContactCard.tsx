import {
  Avatar, Body1, Button, DrawerBody, DrawerHeader, DrawerHeaderTitle, Link, OverlayDrawer, makeStyles, tokens,
} from '@fluentui/react-components';
import type { MouseEvent } from 'react';
import type { DirectoryContact } from '../../../src/server/tab-api-types';
import type { ApiClient } from '../api/client';
import type { Session } from '../auth/session';
import { useContactPhoto } from '../hooks/use-contact-photo';
import { mailHref, phonesOf, teamsCallHref, teamsChatHref, teamsUser, telHref } from '../util/contact-links';
import { contactSummary, displayNameOf } from './ContactRow';

const useStyles = makeStyles({
  hero: { display: 'flex', flexDirection: 'column', alignItems: 'center', gap: tokens.spacingVerticalS, paddingBlock: tokens.spacingVerticalL, textAlign: 'center' },
  secondary: { color: tokens.colorNeutralForeground2 },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, justifyContent: 'center', paddingBottom: tokens.spacingVerticalL },
  fields: { display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: tokens.spacingHorizontalL, rowGap: tokens.spacingVerticalS, margin: 0 },
  term: { color: tokens.colorNeutralForeground2 },
  value: { margin: 0, overflowWrap: 'anywhere' },
});

/** Fields shown as label and value; name, photo and phones have their own places on the card. */
const FIELDS: [keyof DirectoryContact, string][] = [
  ['jobTitle', 'Job title'],
  ['department', 'Department'],
  ['officeLocation', 'Office'],
  ['companyName', 'Company'],
  ['city', 'City'],
  ['country', 'Country or region'],
  ['mail', 'Email'],
  ['userPrincipalName', 'Sign-in name'],
  ['givenName', 'First name'],
  ['surname', 'Last name'],
];

/**
 * A person's contact card: photo (or initials), every field the policy lets this user see, and
 * one-click call, chat and email.
 */
export function ContactCard({ contact, api, session, onClose }: { contact: DirectoryContact | undefined; api: ApiClient; session: Session; onClose: () => void }) {
  const styles = useStyles();
  const photo = useContactPhoto(api, contact);
  if (!contact) return null;
  const name = displayNameOf(contact);
  const teams = teamsUser(contact);
  const phones = phonesOf(contact);
  // Teams deep links open through the host in Teams; a browser follows them in a new tab.
  const deepLink = (href: string): { onClick?: (e: MouseEvent<HTMLAnchorElement>) => void; target?: string; rel?: string } =>
    session.host === 'teams'
      ? { onClick: (e) => { e.preventDefault(); session.openTeamsLink(href); } }
      : { target: '_blank', rel: 'noopener noreferrer' };

  return (
    <OverlayDrawer open position="end" size="medium" onOpenChange={(_, data) => !data.open && onClose()} data-testid="contact-card" aria-labelledby="contact-card-title">
      <DrawerHeader>
        <DrawerHeaderTitle action={<Button appearance="subtle" onClick={onClose} data-testid="contact-card-close">Close</Button>}>
          <span id="contact-card-title">{name}</span>
        </DrawerHeaderTitle>
      </DrawerHeader>
      <DrawerBody>
        <div className={styles.hero}>
          <Avatar name={name} size={96} image={photo ? { src: photo, alt: '' } : undefined} data-testid="contact-photo" data-photo={photo ? 'image' : 'initials'} />
          {contactSummary(contact) && <Body1 className={styles.secondary}>{contactSummary(contact)}</Body1>}
        </div>
        <div className={styles.actions} role="group" aria-label={`Contact ${name}`}>
          {teams && (
            <>
              <Button as="a" appearance="primary" href={teamsChatHref(teams)} data-testid="contact-teams-chat" {...deepLink(teamsChatHref(teams))}>
                Chat in Teams
              </Button>
              <Button as="a" href={teamsCallHref(teams)} data-testid="contact-teams-call" {...deepLink(teamsCallHref(teams))}>
                Call in Teams
              </Button>
            </>
          )}
          {contact.mail && (
            <Button as="a" href={mailHref(contact.mail)} data-testid="contact-email">
              Email
            </Button>
          )}
        </div>
        <dl className={styles.fields}>
          {phones.map((p) => (
            <PhoneField key={`${p.label}:${p.number}`} label={p.label} number={p.number} className={styles} />
          ))}
          {FIELDS.map(([key, label]) => {
            const value = contact[key];
            if (typeof value !== 'string' || value === '') return null;
            return (
              <div key={key} style={{ display: 'contents' }}>
                <dt className={styles.term}>{label}</dt>
                <dd className={styles.value} data-testid={`contact-field-${key}`}>{value}</dd>
              </div>
            );
          })}
        </dl>
      </DrawerBody>
    </OverlayDrawer>
  );
}

function PhoneField({ label, number, className }: { label: string; number: string; className: { term: string; value: string } }) {
  return (
    <div style={{ display: 'contents' }}>
      <dt className={className.term}>{label} phone</dt>
      <dd className={className.value}>
        <Link href={telHref(number)} data-testid="contact-tel" aria-label={`Call ${number} (${label.toLowerCase()})`}>
          {number}
        </Link>
      </dd>
    </div>
  );
}
