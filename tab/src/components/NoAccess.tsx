import { Body1, Title2, makeStyles, tokens } from '@fluentui/react-components';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, maxWidth: '40rem', paddingBlock: tokens.spacingVerticalXL },
  title: { margin: 0 },
});

/**
 * A person in none of the groups that receive contacts: the product rule is to say so plainly and
 * show nothing of the directory.
 */
export function NoAccess() {
  const styles = useStyles();
  return (
    <section className={styles.root} data-testid="no-access" aria-labelledby="no-access-title">
      <Title2 as="h2" id="no-access-title" className={styles.title}>
        You don't receive company contacts
      </Title2>
      <Body1>
        Your administrator has not included you in a group that receives contacts in Switchboard, so there is no directory to show you here,
        and no contacts are sent to your devices.
      </Body1>
      <Body1>If you think you should see the company directory, ask your IT administrator to add you to one of those groups.</Body1>
    </section>
  );
}
