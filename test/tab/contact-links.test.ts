import { describe, expect, it } from 'vitest';
import { mailHref, phonesOf, teamsCallHref, teamsChatHref, teamsUser, telHref } from '../../tab/src/util/contact-links.js';

describe('contact card links', () => {
  it.each([
    ['+1 425 555 0100', 'tel:+14255550100'],
    ['(425) 555-0102', 'tel:4255550102'],
    ['425.555.0110', 'tel:4255550110'],
    ['+1 (425) 555-0112', 'tel:+14255550112'],
    // The "(0)" written after a country code is not dialled from abroad.
    ['+49 (0)30 901822', 'tel:+4930901822'],
    ['+44 7700 900123', 'tel:+447700900123'],
  ])('tel: for %s is %s (RFC 3966 global or local number, no separators)', (typed, href) => {
    expect(telHref(typed)).toBe(href);
  });

  it('builds Teams chat and call deep links with the UPN, encoding what would break the URL but not its @', () => {
    expect(teamsChatHref('amelia.hart@contoso.example')).toBe('https://teams.microsoft.com/l/chat/0/0?users=amelia.hart@contoso.example');
    expect(teamsCallHref('amelia.hart@contoso.example')).toBe('https://teams.microsoft.com/l/call/0/0?users=amelia.hart@contoso.example');
    // A guest's UPN carries '#EXT#': unencoded, '#' would end the query.
    expect(teamsChatHref('sam.partner_fabrikam.example#EXT#@contoso.example')).toBe('https://teams.microsoft.com/l/chat/0/0?users=sam.partner_fabrikam.example%23EXT%23@contoso.example');
  });

  it('calls and chats through the UPN, or the mail address when there is no UPN', () => {
    expect(teamsUser({ userPrincipalName: 'a@contoso.example', mail: 'b@contoso.example' })).toBe('a@contoso.example');
    expect(teamsUser({ userPrincipalName: null, mail: 'b@contoso.example' })).toBe('b@contoso.example');
    expect(teamsUser({ userPrincipalName: null, mail: null })).toBeUndefined();
    expect(mailHref('b@contoso.example')).toBe('mailto:b@contoso.example');
  });

  it('lists work numbers first, then the mobile', () => {
    expect(phonesOf({ businessPhones: ['1', '2'], mobilePhone: '3' })).toEqual([
      { label: 'Work', number: '1' }, { label: 'Work', number: '2' }, { label: 'Mobile', number: '3' },
    ]);
    expect(phonesOf({ businessPhones: [], mobilePhone: null })).toEqual([]);
  });
});
