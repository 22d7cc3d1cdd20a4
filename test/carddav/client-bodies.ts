/**
 * Request bodies of real CardDAV clients, reproduced from their public source (prefixes, namespace
 * declarations, whitespace and Depth headers as the clients send them), so the tests replay what
 * the server will actually receive.
 *
 * - Thunderbird: mozilla/releases-comm-central mailnews/addrbook/modules/CardDAVUtils.sys.mjs
 *   (detectAddressBooks) and CardDAVDirectory.sys.mjs (NAMESPACE_STRING = card, cs, d prefixes).
 * - DAVx5: bitfireAT/dav4jvm DavResource.propfind, DavAddressBook.multiget/addressbookQuery,
 *   DavCollection.reportChanges (Android's XmlSerializer: single-quoted declaration, `<x />`,
 *   `n0:`-style prefixes for namespaces it has no prefix for), and the property lists of
 *   bitfireAT/davx5-ose DavResourceFinder, RefreshCollectionsWorker and ContactsSyncManager.
 * - iOS / macOS: the `A:`/`B:`/`C:` request style of Apple's dataaccessd and AddressBook, as
 *   logged in public server issue threads (jelmer/xandikos#166, Kozea/Radicale#47).
 * - vdirsyncer 0.19 (Debian): vdirsyncer/storage/dav.py, whitespace included.
 * - Evolution: GNOME/evolution-data-server e-book-backend-carddav.c (EXmlDocument: the root's
 *   namespace is the default one, others get the prefix the code names).
 */

const TB_NS = 'xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:cs="http://calendarserver.org/ns/" xmlns:d="DAV:"';

export const thunderbird = {
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.5.0',
  /** detectAddressBooks, step 1 at the typed URL (Depth 0). */
  probe: `<propfind xmlns="DAV:">
          <prop>
            <resourcetype/>
            <displayname/>
            <current-user-principal/>
            <current-user-privilege-set/>
          </prop>
        </propfind>`,
  /** detectAddressBooks at /.well-known/carddav (Depth 0). */
  wellKnown: `<propfind xmlns="DAV:">
        <prop>
          <current-user-principal/>
        </prop>
      </propfind>`,
  homeSet: `<propfind xmlns="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav">
        <prop>
          <card:addressbook-home-set/>
        </prop>
      </propfind>`,
  /** The home at Depth 1: books are responses whose first status is exactly "HTTP/1.1 200 OK". */
  books: `<propfind xmlns="DAV:">
        <prop>
          <resourcetype/>
          <displayname/>
          <current-user-privilege-set/>
        </prop>
      </propfind>`,
  /** fetchAllFromServer / updateAllFromServerV1 (Depth 1 on the book). */
  listing: `<propfind xmlns="DAV:" ${TB_NS}>
      <prop>
        <resourcetype/>
        <getetag/>
        <cs:getctag/>
      </prop>
    </propfind>`,
  /** _getSyncToken (Depth 0). */
  syncToken: `<propfind xmlns="DAV:" ${TB_NS}>
      <prop>
         <displayname/>
         <cs:getctag/>
         <sync-token/>
      </prop>
    </propfind>`,
  /** _multigetRequest (Depth 1: Thunderbird sends it). */
  multiget: (hrefs: string[]) => `<card:addressbook-multiget ${TB_NS}>
      <d:prop>
        <d:getetag/>
        <card:address-data/>
      </d:prop>
      ${hrefs.map((h) => `      <d:href>${h}</d:href>`).join('\n')}
    </card:addressbook-multiget>`,
  /** updateAllFromServerV2 (Depth 1). */
  syncCollection: (token: string) => `<sync-collection xmlns="DAV:" ${TB_NS}>
      <sync-token>${token}</sync-token>
      <sync-level>1</sync-level>
      <prop>
        <getetag/>
        <card:address-data/>
      </prop>
    </sync-collection>`,
};

const DAVX5_DECL = "<?xml version='1.0' encoding='UTF-8' ?>";
const DAVX5_NS = 'xmlns="DAV:" xmlns:CAL="urn:ietf:params:xml:ns:caldav" xmlns:CARD="urn:ietf:params:xml:ns:carddav"';

export const davx5 = {
  userAgent: 'DAVx5/4.4.3-ose (2024/10/11; dav4jvm; okhttp/4.12.0) Android/14',
  /** DavResourceFinder.checkBaseURL for CardDAV (Depth 0 at the typed URL). */
  baseUrl: `${DAVX5_DECL}<propfind ${DAVX5_NS}><prop><resourcetype /><displayname /><CARD:addressbook-description /><CARD:addressbook-home-set /><current-user-principal /></prop></propfind>`,
  /** RefreshCollectionsWorker: the home at Depth 1, with calendar, WebDAV-Push and CalendarServer properties it may not have. */
  homeListing: `${DAVX5_DECL}<propfind ${DAVX5_NS}><prop><resourcetype /><current-user-privilege-set /><displayname /><owner /><CARD:addressbook-description /><CARD:supported-address-data /><CAL:calendar-description /><n0:calendar-color xmlns:n0="http://apple.com/ns/ical/" /><CAL:supported-calendar-component-set /><n1:source xmlns:n1="http://calendarserver.org/ns/" /><n2:push-transports xmlns:n2="https://bitfire.at/webdav-push" /><n3:topic xmlns:n3="https://bitfire.at/webdav-push" /></prop></propfind>`,
  /** ContactsSyncManager.queryCapabilities (Depth 0 on the book). */
  capabilities: `${DAVX5_DECL}<propfind ${DAVX5_NS}><prop><CARD:max-resource-size /><CARD:supported-address-data /><supported-report-set /><n0:getctag xmlns:n0="http://calendarserver.org/ns/" /><sync-token /></prop></propfind>`,
  /** DavCollection.reportChanges (Depth 0); an initial sync sends an empty sync-token element. */
  syncCollection: (token: string | null) =>
    `${DAVX5_DECL}<sync-collection xmlns="DAV:">${token === null ? '<sync-token />' : `<sync-token>${token}</sync-token>`}<sync-level>1</sync-level><prop><getetag /></prop></sync-collection>`,
  /** DavAddressBook.multiget, in batches of 10 (Depth 0). */
  multiget: (hrefs: string[]) =>
    `${DAVX5_DECL}<CARD:addressbook-multiget xmlns="DAV:" xmlns:CARD="urn:ietf:params:xml:ns:carddav"><prop><getcontenttype /><getetag /><CARD:address-data /></prop>${hrefs.map((h) => `<href>${h}</href>`).join('')}</CARD:addressbook-multiget>`,
  /** DavAddressBook.addressbookQuery: an empty filter lists every card (Depth 1). */
  query: `${DAVX5_DECL}<CARD:addressbook-query xmlns="DAV:" xmlns:CARD="urn:ietf:params:xml:ns:carddav"><prop><getetag /></prop><CARD:filter /></CARD:addressbook-query>`,
};

export const ios = {
  userAgent: 'iOS/18.1 (22B83) dataaccessd/1.0',
  /** First request after /.well-known/carddav (Depth 0). */
  principal: `<?xml version="1.0" encoding="UTF-8"?>
<A:propfind xmlns:A="DAV:">
  <A:prop>
    <A:current-user-principal/>
    <A:principal-URL/>
    <A:resourcetype/>
  </A:prop>
</A:propfind>
`,
  /** On the principal (Depth 0). */
  principalProps: `<?xml version="1.0" encoding="UTF-8"?>
<A:propfind xmlns:A="DAV:">
  <A:prop>
    <B:addressbook-home-set xmlns:B="urn:ietf:params:xml:ns:carddav"/>
    <B:directory-gateway xmlns:B="urn:ietf:params:xml:ns:carddav"/>
    <A:displayname/>
    <C:email-address-set xmlns:C="http://calendarserver.org/ns/"/>
    <A:principal-collection-set/>
    <A:principal-URL/>
    <A:resource-id/>
    <A:supported-report-set/>
  </A:prop>
</A:propfind>
`,
  /** The home at Depth 1. */
  home: `<?xml version="1.0" encoding="UTF-8"?>
<A:propfind xmlns:A="DAV:">
  <A:prop>
    <A:add-member/>
    <C:bulk-requests xmlns:C="http://me.com/_namespace/"/>
    <A:current-user-privilege-set/>
    <A:displayname/>
    <B:max-image-size xmlns:B="urn:ietf:params:xml:ns:carddav"/>
    <B:max-resource-size xmlns:B="urn:ietf:params:xml:ns:carddav"/>
    <C:me-card xmlns:C="http://calendarserver.org/ns/"/>
    <A:owner/>
    <C:push-transports xmlns:C="http://calendarserver.org/ns/"/>
    <C:pushkey xmlns:C="http://calendarserver.org/ns/"/>
    <A:quota-available-bytes/>
    <A:quota-used-bytes/>
    <A:resource-id/>
    <A:resourcetype/>
    <A:supported-report-set/>
    <A:sync-token/>
  </A:prop>
</A:propfind>
`,
  syncCollection: (token: string) => `<?xml version="1.0" encoding="UTF-8"?>
<A:sync-collection xmlns:A="DAV:">
  <A:sync-token>${token}</A:sync-token>
  <A:sync-level>1</A:sync-level>
  <A:prop>
    <A:getetag/>
  </A:prop>
</A:sync-collection>
`,
  multiget: (hrefs: string[]) => `<?xml version="1.0" encoding="UTF-8"?>
<B:addressbook-multiget xmlns:B="urn:ietf:params:xml:ns:carddav">
  <A:prop xmlns:A="DAV:">
    <A:getetag/>
    <B:address-data/>
  </A:prop>
${hrefs.map((h) => `  <A:href xmlns:A="DAV:">${h}</A:href>`).join('\n')}
</B:addressbook-multiget>
`,
};

export const vdirsyncer = {
  principal: `
        <propfind xmlns="DAV:">
            <prop>
                <current-user-principal />
            </prop>
        </propfind>
        `,
  homeSet: `
    <propfind xmlns="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav">
        <prop>
            <c:addressbook-home-set />
        </prop>
    </propfind>
    `,
  collections: `
    <propfind xmlns="DAV:">
        <prop>
            <resourcetype />
        </prop>
    </propfind>
    `,
  list: `<?xml version="1.0" encoding="utf-8" ?>
            <propfind xmlns="DAV:">
                <prop>
                    <resourcetype/>
                    <getcontenttype/>
                    <getetag/>
                </prop>
            </propfind>
            `,
  /** get_meta("displayname"): lxml serialises the element with an ns0 prefix. */
  displayname: `<?xml version="1.0" encoding="utf-8" ?>
            <propfind xmlns="DAV:">
                <prop>
                    <ns0:displayname xmlns:ns0="DAV:"/>
                </prop>
            </propfind>
        `,
  /** get_multi: no Depth header at all. */
  multiget: (hrefs: string[]) => `<?xml version="1.0" encoding="utf-8" ?>
            <C:addressbook-multiget xmlns="DAV:"
                    xmlns:C="urn:ietf:params:xml:ns:carddav">
                <prop>
                    <getetag/>
                    <C:address-data/>
                </prop>
                ${hrefs.map((h) => `<href>${h}</href>`).join('\n')}
            </C:addressbook-multiget>`,
};

export const evolution = {
  userAgent: 'Evolution/3.52.4',
  /** e_webdav_session_getctag_sync (Depth 0). */
  ctag: `<?xml version="1.0" encoding="UTF-8"?>
<propfind xmlns="DAV:" xmlns:CS="http://calendarserver.org/ns/"><prop><CS:getctag/></prop></propfind>
`,
  /** ebb_carddav_get_changes_sync: ETags of the book (Depth 1). */
  etags: `<?xml version="1.0" encoding="UTF-8"?>
<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>
`,
  /** ebb_carddav_multiget_from_sets_sync: up to 100 hrefs, no Depth header. */
  multiget: (hrefs: string[]) => `<?xml version="1.0" encoding="UTF-8"?>
<addressbook-multiget xmlns="urn:ietf:params:xml:ns:carddav" xmlns:D="DAV:"><D:prop><D:getetag/><address-data/></D:prop>${hrefs.map((h) => `<D:href>${h}</D:href>`).join('')}</addressbook-multiget>
`,
  /** ebb_carddav_list_existing_sync: no filter at all, partial address data, Depth 0 on the book. */
  listExisting: `<?xml version="1.0" encoding="UTF-8"?>
<addressbook-query xmlns="urn:ietf:params:xml:ns:carddav" xmlns:D="DAV:"><D:prop><D:getetag/><address-data><prop name="VERSION"/><prop name="UID"/></address-data></D:prop></addressbook-query>
`,
};
