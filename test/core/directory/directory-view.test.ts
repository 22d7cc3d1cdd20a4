import { describe, expect, it } from 'vitest';
import { DirectoryView, type ListedContact } from '../../../src/core/directory/directory-view.js';
import { PrefixIndex } from '../../../src/core/directory/prefix-index.js';
import { foldText, parseQuery, wordsOf } from '../../../src/core/directory/search-text.js';

function contact(id: string, fields: Partial<ListedContact>): ListedContact {
  return {
    id, displayName: null, givenName: null, surname: null, mail: null, userPrincipalName: null, jobTitle: null, department: null, officeLocation: null,
    companyName: null, businessPhones: [], mobilePhone: null, city: null, country: null, hasPhoto: false, ...fields,
  };
}

const people = [
  contact('1', { displayName: 'Emma Müller', givenName: 'Emma', surname: 'Müller', jobTitle: 'Recruiter', department: 'Human Resources', officeLocation: 'Berlin 2/105', businessPhones: ['+49 30 901823'], mail: 'emma.muller@contoso.example' }),
  contact('2', { displayName: 'Chloé Durand', jobTitle: 'Account Executive', department: 'Sales', officeLocation: 'Paris 3/5', businessPhones: ['+33 1 70 36 39 50'] }),
  contact('3', { displayName: 'Priya Raman', jobTitle: 'Chief Technology Officer', department: 'Executive', businessPhones: ['(425) 555-0102'], mobilePhone: '(425) 555-0192' }),
  contact('4', { displayName: 'Marcus Lee', jobTitle: 'VP Sales North America', department: 'Sales', officeLocation: 'Redmond 18/1101', businessPhones: ['425.555.0110'] }),
  contact('5', { displayName: 'Salem Okafor', jobTitle: 'Engineer', department: 'Engineering' }),
  contact('6', { displayName: 'ahmed zaki', department: 'sales' }),
];
const view = new DirectoryView(people, [{ id: 'g-eu', name: 'Sales EU', members: new Set(['2', 'missing-user']) }]);
const names = (q: Parameters<DirectoryView['search']>[0]) => view.search(q).contacts.map((c) => c.displayName);
const all = { offset: 0, limit: 100 };

describe('search text', () => {
  it('folds case and accents, so a plain keyboard finds every name', () => {
    expect(foldText('Chloé MÜLLER Fernández')).toBe('chloe muller fernandez');
    // The address and its local part's words, not the domain every colleague shares.
    expect(wordsOf('grace.kim@contoso.example')).toEqual(['grace.kim@contoso.example', 'grace', 'kim']);
    expect(wordsOf('Anne-Marie O.Neil')).toEqual(['anne', 'marie', 'o.neil', 'o', 'neil']);
  });

  it('parses a phone-like query into its digits, and anything else into words', () => {
    expect(parseQuery('(425) 555-0102')).toEqual({ words: ['425', '555', '0102'], digits: '4255550102' });
    expect(parseQuery('  Chloé  D ')).toEqual({ words: ['chloe', 'd'], digits: undefined });
    expect(parseQuery('12')).toEqual({ words: ['12'], digits: undefined });
  });
});

describe('PrefixIndex', () => {
  const index = new PrefixIndex([['marcus', 'lee'], ['mara', 'lee'], ['amara', 'smith'], ['marcus', 'marcus']]);
  const matching = (...prefixes: string[]) => {
    const marks = new Uint16Array(4);
    prefixes.forEach((p, step) => index.advance(p, marks, step));
    return [...marks.keys()].filter((doc) => marks[doc] === prefixes.length);
  };

  it('finds documents with a word starting with the prefix, never in the middle of a word', () => {
    expect(matching('mar')).toEqual([0, 1, 3]);
    expect(matching('marc')).toEqual([0, 3]);
    expect(matching('ara')).toEqual([]);
    expect(matching('')).toEqual([0, 1, 2, 3]);
    expect(matching('zz')).toEqual([]);
  });

  it('ANDs several prefixes, a document with one word matching twice counting once per step', () => {
    expect(matching('mar', 'lee')).toEqual([0, 1]);
    expect(matching('lee', 'mara')).toEqual([1]);
    expect(matching('marcus', 'marcus')).toEqual([0, 3]);
    expect(matching('smith', 'lee')).toEqual([]);
  });
});

describe('DirectoryView', () => {
  it('lists everyone A–Z by name, ignoring case and accents', () => {
    expect(names(all)).toEqual(['ahmed zaki', 'Chloé Durand', 'Emma Müller', 'Marcus Lee', 'Priya Raman', 'Salem Okafor']);
  });

  it('searches names, titles, departments, offices and phones, name matches first', () => {
    expect(names({ ...all, q: 'muller' })).toEqual(['Emma Müller']);
    expect(names({ ...all, q: 'sal' })).toEqual(['Salem Okafor', 'ahmed zaki', 'Chloé Durand', 'Marcus Lee']);
    expect(names({ ...all, q: 'paris' })).toEqual(['Chloé Durand']);
    expect(names({ ...all, q: 'chief tech' })).toEqual(['Priya Raman']);
    expect(names({ ...all, q: '425 555 0192' })).toEqual(['Priya Raman']);
    expect(names({ ...all, q: 'nobody' })).toEqual([]);
  });

  it('filters by department, office and group, combined with the search', () => {
    expect(names({ ...all, department: 'Sales' })).toEqual(['ahmed zaki', 'Chloé Durand', 'Marcus Lee']);
    expect(names({ ...all, department: 'Sales', q: 'marc' })).toEqual(['Marcus Lee']);
    expect(names({ ...all, office: 'Paris 3/5' })).toEqual(['Chloé Durand']);
    expect(names({ ...all, group: 'g-eu' })).toEqual(['Chloé Durand']);
    expect(names({ ...all, group: 'not-a-visible-group' })).toEqual([]);
  });

  it('pages through the matches with a total and the next offset', () => {
    const first = view.search({ offset: 0, limit: 4 });
    expect(first).toMatchObject({ total: 6, nextOffset: 4 });
    const second = view.search({ offset: 4, limit: 4 });
    expect(second.nextOffset).toBeUndefined();
    expect([...first.contacts, ...second.contacts].map((c) => c.id).sort()).toEqual(['1', '2', '3', '4', '5', '6']);
  });

  it('counts facets over the whole view; a group counts only members in the view', () => {
    expect(view.facets.departments).toContainEqual({ value: 'Sales', count: 3 });
    expect(view.facets.departments.filter((d) => d.value.toLowerCase() === 'sales')).toHaveLength(1);
    expect(view.facets.offices.map((o) => o.value)).toEqual(['Berlin 2/105', 'Paris 3/5', 'Redmond 18/1101']);
    expect(view.facets.groups).toEqual([{ id: 'g-eu', name: 'Sales EU', count: 1 }]);
    expect(view.get('3')?.displayName).toBe('Priya Raman');
    expect(view.get('nope')).toBeUndefined();
  });
});
