/** Automated screening, without any server. */
import { article3Indicators, contentFlags, fold, subjectKey } from '../../domain/screening';
import { assetIdentity, normalizeIdentifier } from '../../domain/assets';

describe('Article 3 indicators', () => {
  test.each([
    'Financiación de un partido político',
    "Fraude pendant l'élection présidentielle",
    'Motivos de religión',
    'A politically exposed person',
    'Funds for the MILITARY junta',
    'Dons à une église',
    'تمويل حزب سِيَاسِيّ',
    'أموال لجماعة عسكرية',
    'ethnic cleansing',
  ])('found in %s', (text) => expect(article3Indicators(text)).toBe(true));

  test.each([
    'Laundering of proceeds of extortion through front companies',
    'A villa in the Sahara desert and a racecourse',
    'Shares in Templeton funds',
    'Tribunal de commerce de Paris',
  ])('not found in %s', (text) => expect(article3Indicators(text)).toBe(false));
});

test('folding drops accents, Arabic short vowels and tatweel, and case', () => {
  expect(fold('Político ÉLECTION')).toBe('politico election');
  expect(fold('سِيَاسِـيّ')).toBe('سياسي');
});

describe('the subject key of the duplicate check', () => {
  test('spelling variants of one name agree', () => {
    expect(subjectKey({ familyName: 'Rössi-d’Amato', dateOfBirth: '1961-04-02' })).toBe(
      subjectKey({ familyName: 'ROSSI DAMATO', dateOfBirth: '1961-04-02' }),
    );
  });
  test('names in Arabic or Cyrillic keep their letters: different names differ', () => {
    const key = (familyName: string) => subjectKey({ familyName, dateOfBirth: '1970-03-03' });
    expect(key('الحسيني')).not.toBe(key('العبيدي'));
    expect(key('Иванов')).not.toBe(key('Петров'));
    expect(key('Иванов')).toBe(key('ИВАНОВ'));
  });
  test('a name without a letter matches nobody', () => {
    expect(subjectKey({ familyName: '—', dateOfBirth: '1970-03-03' })).toBeNull();
  });
  test('without a birth date, the first document anchors the key', () => {
    expect(subjectKey({ familyName: 'Rossi', identityDocuments: [{ type: 'PASSPORT', number: 'ya 123', issuingCountry: 'IT' }] })).toBe(
      'ROSSI|DOC:YA123',
    );
  });
});

test('content flags: dates, minors and completeness', () => {
  const base = {
    subject: { familyName: 'X', givenNames: 'Y', dateOfBirth: '1990-01-01' },
    offence: {
      category: 'FRAUD',
      description: 'fraud',
      maxPenaltyYears: 5,
      assetLink: 'accounts',
      legalBasis: { type: 'INVESTIGATION', reference: 'r', authority: 'a', date: '2024-01-01' },
    },
  };
  expect(contentFlags(base, '2025-01-01')).toEqual([]);
  expect(contentFlags({ ...base, subject: { ...base.subject, dateOfBirth: '2010-01-01' } }, '2025-01-01')).toEqual(['SUBJECT_IS_MINOR']);
  expect(
    contentFlags({ ...base, offence: { ...base.offence, legalBasis: { ...base.offence.legalBasis, date: '2026-01-01' } } }, '2025-01-01'),
  ).toEqual(['LEGAL_BASIS_IN_FUTURE']);
  expect(contentFlags({ ...base, subject: { familyName: 'X', dateOfBirth: '2030-01-01' } }, '2025-01-01')).toEqual([
    'INCONSISTENT_DATES',
    'INCOMPLETE_IDENTITY',
  ]);
});

describe('asset identity', () => {
  const villa = { category: 'REAL_ESTATE', description: 'Villa', location: { country: 'FR', address: 'Nice' } };
  test('identifiers compare without case, spaces or punctuation', () => {
    expect(normalizeIdentifier(' it60 x054-2811.1010 ')).toBe('IT60X05428111010');
    expect(assetIdentity({ ...villa, identifiers: { iban: 'IT60 X054' } })).toBe(
      assetIdentity({ ...villa, description: 'Other words', identifiers: { IBAN: 'it60x054' } }),
    );
  });
  test('without identifiers, category, description and location tell assets apart', () => {
    expect(assetIdentity(villa)).toBe(assetIdentity({ ...villa, description: '  villa ' }));
    expect(assetIdentity(villa)).not.toBe(assetIdentity({ ...villa, location: { country: 'FR', address: 'Cannes' } }));
  });
});
