import { makeStyles, MessageBar, MessageBarBody, MessageBarTitle, Tab, TabList, Text, tokens } from '@fluentui/react-components';
import { useState, type ReactNode } from 'react';
import type { MeResponse } from '../../../src/server/tab-api-types';
import type { ApiClient } from '../api/client';
import { AuditLogSection } from './AuditLogSection';
import { DevicesSection } from './DevicesSection';
import { PolicySection } from './PolicySection';
import { SyncHealthSection } from './SyncHealthSection';

export type AdminSectionId = 'policy' | 'sync' | 'devices' | 'audit';

const SECTIONS: { id: AdminSectionId; title: string; intro: string }[] = [
  {
    id: 'policy',
    title: 'Groups & policy',
    intro: 'Choose the Entra groups whose members receive contacts and whom they see. The preview shows the effect before you save.',
  },
  { id: 'sync', title: 'Sync health', intro: 'How the background sync with Microsoft Graph is doing, and whose permission it runs on.' },
  { id: 'devices', title: 'Devices', intro: 'Phones, tablets and computers that people have connected to receive contacts.' },
  { id: 'audit', title: 'Audit log', intro: 'Every change to the configuration: who made it, when, and what changed.' },
];

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, minWidth: 0 },
  heading: { margin: 0 },
  panel: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, minWidth: 0, '&[hidden]': { display: 'none' } },
  intro: { color: tokens.colorNeutralForeground2 },
});

export interface AdminPageProps {
  /** The tab's API client; keep the same instance across renders (a new one reloads every section). */
  api: ApiClient;
  me: MeResponse;
  /** Section shown first; defaults to Groups & policy. */
  initialSection?: AdminSectionId;
}

/**
 * The admin settings of the tab: groups & policy, sync health, devices, audit log. The server checks
 * every admin API itself; this page only declines to show itself to a non-administrator.
 */
export function AdminPage({ api, me, initialSection = 'policy' }: AdminPageProps) {
  const styles = useStyles();
  const [selected, setSelected] = useState<AdminSectionId>(initialSection);
  // The policy editor stays mounted once opened, so switching sections keeps an unsaved draft; the
  // others load afresh each time they are shown.
  const [policyOpened, setPolicyOpened] = useState(initialSection === 'policy');
  const show = (id: AdminSectionId) => {
    setSelected(id);
    if (id === 'policy') setPolicyOpened(true);
  };

  if (!me.isAdmin) {
    return (
      <MessageBar intent="info" data-testid="admin-not-admin">
        <MessageBarBody>
          <MessageBarTitle>Admin settings</MessageBarTitle>
          Only tenant administrators can change which groups receive contacts.
        </MessageBarBody>
      </MessageBar>
    );
  }

  const panel = (id: AdminSectionId, content: ReactNode) => {
    const section = SECTIONS.find((s) => s.id === id)!;
    return (
      <section
        key={id}
        id={`admin-panel-${id}`}
        role="tabpanel"
        aria-labelledby={`admin-tab-${id}`}
        hidden={selected !== id}
        className={styles.panel}
        data-testid={`admin-panel-${id}`}
      >
        <Text as="h3" size={500} weight="semibold" className={styles.heading}>
          {section.title}
        </Text>
        <Text className={styles.intro}>{section.intro}</Text>
        {content}
      </section>
    );
  };

  return (
    <div className={styles.root} data-testid="admin-page">
      <Text as="h2" size={600} weight="semibold" className={styles.heading}>
        Admin settings
      </Text>
      {me.tenant.consent === 'missing' && (
        <MessageBar intent="warning" layout="multiline" data-testid="admin-consent-missing">
          <MessageBarBody>
            <MessageBarTitle>Admin consent is missing</MessageBarTitle>
            Switchboard cannot read your organisation's directory until a Global Administrator grants it permission to.
          </MessageBarBody>
        </MessageBar>
      )}
      <TabList
        selectedValue={selected}
        onTabSelect={(_e, data) => show(data.value as AdminSectionId)}
        aria-label="Admin settings sections"
      >
        {SECTIONS.map((s) => (
          <Tab key={s.id} value={s.id} id={`admin-tab-${s.id}`} aria-controls={selected === s.id ? `admin-panel-${s.id}` : undefined} data-testid={`admin-tab-${s.id}`}>
            {s.title}
          </Tab>
        ))}
      </TabList>
      {(policyOpened || selected === 'policy') && panel('policy', <PolicySection api={api} />)}
      {selected === 'sync' && panel('sync', <SyncHealthSection api={api} onShowPolicy={() => show('policy')} />)}
      {selected === 'devices' && panel('devices', <DevicesSection api={api} />)}
      {selected === 'audit' && panel('audit', <AuditLogSection api={api} />)}
    </div>
  );
}

export default AdminPage;
