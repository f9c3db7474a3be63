/** What a request is found by and what a query asks for (domain/search.ts). */
import { caseNumberOf, fold, searchQuery, subjectTerms } from '../../domain/search';

test('folding drops case, accents and punctuation, and spells undecomposed letters plainly', () => {
  expect(fold("  Gutiérrez-Łopata, José MARÍA (O'Brien)  ")).toBe('gutierrez lopata jose maria o brien');
  expect(fold('Straße Søren Ærø İnce')).toBe('strasse soren aero ince');
  expect(fold('مُحَمَّد')).toBe('محمد');
  expect(fold('--- ...')).toBe('');
});

test('a name is found by each word and each start of three letters or more, an apostrophe kept or left out', () => {
  const terms = subjectTerms({
    familyName: "O'Neil",
    givenNames: 'Li',
    aliases: [{ familyName: 'Rossi' }],
    identityDocuments: [{ type: 'PASSPORT', number: 'ya-123 4567', issuingCountry: 'IT' }],
  } as never);
  expect(terms.filter((t) => t.field === 'subject.name').map((t) => t.term)).toEqual(['o', 'nei', 'neil', 'li', 'one', 'onei', 'oneil']);
  expect(terms.filter((t) => t.field === 'aliases.name')).toEqual(
    ['ros', 'ross', 'rossi'].map((term) => ({ field: 'aliases.name', entry: 0, term })),
  );
  expect(terms.filter((t) => t.field === 'identityDocuments.number')).toEqual([
    { field: 'identityDocuments.number', entry: 0, term: 'ya1234567' },
  ]);
  expect(subjectTerms({} as never)).toEqual([]);
  expect(subjectTerms(null)).toEqual([]);
});

test('a query spells a case number or a reference however it is written', () => {
  expect(searchQuery('it-2026-7')).toEqual({ words: ['it', '2026', '7'], compact: 'it20267', caseNumber: 'IT-2026-00007' });
  expect(searchQuery('SN 2026 000123')).toMatchObject({ reference: 'SN-2026-000123' });
  expect(searchQuery('Rossi, Mario')).toEqual({ words: ['rossi', 'mario'], compact: 'rossimario' });
  expect(searchQuery(' -- ')).toBeNull();
  expect(caseNumberOf('FR', 2027, 123456)).toBe('FR-2027-123456');
});
