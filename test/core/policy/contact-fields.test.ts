import { describe, expect, it } from 'vitest';
import { CONTACT_FIELDS, HIDEABLE_FIELDS, projectContact, USER_SELECT, type DirectoryUser } from '../../../src/core/policy/contact-fields.js';
import { defaultPolicy } from '../../../src/core/policy/policy.js';

const ada: DirectoryUser = {
  id: 'u-ada',
  displayName: 'Ada Lovelace',
  givenName: 'Ada',
  surname: 'Lovelace',
  mail: 'ada@contoso.example',
  userPrincipalName: 'ada@contoso.example',
  jobTitle: 'Engineer',
  department: 'Engineering',
  officeLocation: 'London 4/12',
  companyName: 'Contoso',
  businessPhones: ['+44 20 7946 0001'],
  mobilePhone: '+44 7700 900001',
  city: 'London',
  country: 'United Kingdom',
  accountEnabled: true,
  userType: 'Member',
  assignedLicenses: [{ skuId: 'x' }],
  showInAddressList: null,
};

describe('contact fields', () => {
  it('asks Graph for the id, every contact field and the fields that classify accounts', () => {
    expect(USER_SELECT).toEqual(['id', ...CONTACT_FIELDS, 'accountEnabled', 'userType', 'assignedLicenses', 'showInAddressList']);
  });

  it('lets every field but the names be hidden', () => {
    expect(HIDEABLE_FIELDS).not.toContain('displayName');
    expect(HIDEABLE_FIELDS).toHaveLength(CONTACT_FIELDS.length - 3);
  });
});

describe('projectContact', () => {
  it('shows every contact field and nothing else (no account classification) when nothing is hidden', () => {
    const contact = projectContact(ada, defaultPolicy());
    expect(Object.keys(contact).sort()).toEqual(['id', ...CONTACT_FIELDS].sort());
    expect(contact).toMatchObject({ id: 'u-ada', displayName: 'Ada Lovelace', mobilePhone: '+44 7700 900001', businessPhones: ['+44 20 7946 0001'] });
  });

  it('empties hidden fields for everyone: null, or no phones', () => {
    const contact = projectContact(ada, { hiddenFields: ['mobilePhone', 'businessPhones', 'officeLocation'] });
    expect(contact).toMatchObject({ mobilePhone: null, businessPhones: [], officeLocation: null, jobTitle: 'Engineer' });
  });

  it('never blanks names, even from a policy built by hand', () => {
    expect(projectContact(ada, { hiddenFields: ['displayName', 'surname'] })).toMatchObject({ displayName: 'Ada Lovelace', surname: 'Lovelace' });
  });

  it('fills fields Graph did not return with null or no phones', () => {
    expect(projectContact({ id: 'u-room', displayName: 'Conf Room Rainier', businessPhones: null }, defaultPolicy())).toEqual({
      id: 'u-room', displayName: 'Conf Room Rainier', givenName: null, surname: null, mail: null, userPrincipalName: null, jobTitle: null,
      department: null, officeLocation: null, companyName: null, businessPhones: [], mobilePhone: null, city: null, country: null,
    });
  });
});
