/**
 * Asset identifiers checked as their registers check them, each with examples from its standard,
 * and found in free text in the console's four languages.
 */
import { assetIdentity, linkableIdentifiers } from '../../domain/assets';
import { checkIdentifier } from '../../domain/identifiers';
import { findIdentifiers } from '../../domain/identifiers-in-text';

const verdict = (type: string, value: string) => {
  const c = checkIdentifier(type, value);
  return c === undefined ? 'UNCHECKED' : c.ok ? 'OK' : c.code;
};
const normalised = (type: string, value: string) => {
  const c = checkIdentifier(type, value);
  if (!c?.ok) throw new Error(`${type} ${value} does not pass`);
  return c.normalised;
};

describe('iban: ISO 13616, the country’s length and mod 97', () => {
  test.each([
    // The IBAN registry's examples, in print and electronic form.
    'DE89 3704 0044 0532 0130 00',
    'GB29 NWBK 6016 1331 9268 19',
    'FR14 2004 1010 0505 0001 3M02 606',
    'IT60 X054 2811 1010 0000 0123 456',
    'ES91 2100 0418 4502 0005 1332',
    'NL91ABNA0417164300',
    'BE68539007547034',
    'CH9300762011623852957',
    'SA03 8000 0000 6080 1016 7519',
    'AE07 0331 2345 6789 0123 456',
    'fr76 3000 6000 0112 3456 7890 189',
    'DE89-3704-0044-0532-0130-00',
  ])('%s passes', (iban) => expect(verdict('iban', iban)).toBe('OK'));

  test.each([
    ['DE89 3704 0044 0532 0130 01', 'CHECKSUM'], // the last digit mistyped
    ['DE89 3704 0044 0532 0310 00', 'CHECKSUM'], // two digits swapped
    ['GB29 NWBK 6016 1331 9268 18', 'CHECKSUM'],
    ['FR14 2004 1010 0505 0001 3N02 606', 'CHECKSUM'],
    ['DE01 3704 0044 0532 0130 00', 'CHECKSUM'], // check digits 01 are never issued
    ['DE89 3704 0044 0532 0130 0', 'FORMAT'], // one character short of Germany's 22
    ['XX89 3704 0044 0532 0130 00', 'FORMAT'], // no such country
    ['US12 3456 7890', 'FORMAT'], // a country without IBANs
    ['DE8X 3704 0044 0532 0130 00', 'FORMAT'],
    ['', 'FORMAT'],
  ])('%s is %s', (iban, code) => expect(verdict('iban', iban)).toBe(code));

  test('its checked form is electronic: no spaces, upper case', () => {
    expect(normalised('iban', 'de89 3704 0044 0532 0130 00')).toBe('DE89370400440532013000');
  });
});

describe('imo: 7 digits, the last the weighted sum of the first six modulo 10', () => {
  // 9074729: 9×7 + 0×6 + 7×5 + 4×4 + 7×3 + 2×2 = 139, and 139 ends in 9.
  test.each(['9074729', 'IMO 9074729', 'IMO9074729', 'imo 9074729', '9876543', 'IMO 8814275'])('%s passes', (imo) =>
    expect(verdict('imo', imo)).toBe('OK'),
  );
  test.each([
    ['9074728', 'CHECKSUM'],
    ['IMO 9704729', 'CHECKSUM'], // two digits swapped
    ['907472', 'FORMAT'],
    ['90747290', 'FORMAT'],
    ['IMO: 9074729', 'FORMAT'],
    ['MMSI 9074729', 'FORMAT'],
  ])('%s is %s', (imo, code) => expect(verdict('imo', imo)).toBe(code));
  test('the prefix is not part of the number', () => expect(normalised('imo', 'IMO 9074729')).toBe('9074729'));
});

describe('lei: ISO 17442, 18 characters and two check digits, mod 97', () => {
  test.each([
    '506700GE1G29325QX363', // GLEIF's own
    '5493001KJTIIGC8Y1R12',
    'HWUPKR0MPOU8FGXBT394',
    '213800D1L3R2MWV39G88',
    '724500VKKSH9QOLTFR81',
    '5493 001K JTII GC8Y 1R12',
    '506700ge1g29325qx363',
  ])('%s passes', (lei) => expect(verdict('lei', lei)).toBe('OK'));
  test.each([
    ['506700GE1G29325QX364', 'CHECKSUM'],
    ['5493001KJTIIGC8Y1R21', 'CHECKSUM'],
    ['HWUPKR0MPOU8FGXBT349', 'CHECKSUM'],
    ['969500T3MBS4SQAMHJ45', 'CHECKSUM'],
    ['506700GE1G29325QX36', 'FORMAT'],
    ['506700GE1G29325QX3AB', 'FORMAT'], // the check digits are digits
    ['506700GE1G29325QX3_3', 'FORMAT'],
  ])('%s is %s', (lei, code) => expect(verdict('lei', lei)).toBe(code));
});

describe('bic: ISO 9362, institution, a known country, location, optional branch', () => {
  test.each(['DEUTDEFF', 'DEUTDEFF500', 'NEDSZAJJXXX', 'BNPAFRPP', 'CAIXESBBXXX', 'NBOKKWKW', 'deutdeff', 'ABNA NL 2A'])(
    '%s passes',
    (bic) => expect(verdict('bic', bic)).toBe('OK'),
  );
  test.each(['DEUTXXFF', 'DEUT1EFF', 'DEUTDEF', 'DEUTDEFF50', 'DEUTDEFF5000', 'DEU1DEFF'])('%s is not a BIC', (bic) =>
    expect(verdict('bic', bic)).toBe('FORMAT'),
  );
});

describe('walletAddress: Bitcoin and Ethereum checksums; other chains as written', () => {
  // BIP-350's valid segwit addresses (bech32 for version 0, bech32m above), and one in use.
  test.each([
    'BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4',
    'bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3',
    'bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y',
    'BC1SW50QGDZ25J',
    'bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs',
    'bc1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvses5wp4dt',
    'bc1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvses7epu4h',
    'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0',
    'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
  ])('bech32/bech32m %s passes', (a) => expect(verdict('walletAddress', a)).toBe('OK'));

  // BIP-173 and BIP-350's invalid mainnet addresses.
  test.each([
    ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5', 'CHECKSUM'],
    ['bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd', 'CHECKSUM'], // bech32 instead of bech32m
    ['BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL', 'CHECKSUM'],
    ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh', 'CHECKSUM'], // bech32m instead of bech32
    ['BC1SW50QA3JX3S', 'CHECKSUM'], // valid under BIP-173, not under BIP-350
    ['bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj', 'CHECKSUM'],
    ['bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx', 'CHECKSUM'],
    ['bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4', 'FORMAT'], // "o" is not in the alphabet
    ['BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R', 'FORMAT'], // witness version 17
    ['BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2', 'FORMAT'],
    ['bc1rw5uspcuh', 'FORMAT'], // program of 1 byte
    ['bc1pw5dgrnzv', 'FORMAT'],
    ['bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90', 'FORMAT'], // 41 bytes
    ['bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav', 'FORMAT'],
    ['BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P', 'FORMAT'], // 16 bytes for version 0
    ['bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du', 'FORMAT'], // padding of more than 4 bits
    ['bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf', 'FORMAT'],
    ['bc1gmk9yu', 'FORMAT'], // empty data
    ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kV8F3T4', 'FORMAT'], // mixed case
  ])('bech32/bech32m %s is %s', (a, code) => expect(verdict('walletAddress', a)).toBe(code));

  test.each([
    '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa', // the genesis block's
    '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2',
    '1BoatSLRHtKNngkdXEeobR76b53LETtpyT',
    '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy',
  ])('base58check %s passes', (a) => expect(verdict('walletAddress', a)).toBe('OK'));
  test.each([
    ['1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb', 'CHECKSUM'],
    ['1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3', 'CHECKSUM'],
    ['3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz', 'CHECKSUM'],
    ['1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN0', 'FORMAT'], // 0 is not base58
    ['1BvBMSEYst', 'FORMAT'],
  ])('base58check %s is %s', (a, code) => expect(verdict('walletAddress', a)).toBe(code));

  // EIP-55's test vectors: all upper case, all lower case, and checksummed.
  test.each([
    '0x52908400098527886E0F7030069857D2E4169EE7',
    '0x8617E340B3D01FA5F11F306F4090FD50E238070D',
    '0xde709f2102306220921060314715629080e2fb77',
    '0x27b1fdb04752bbc536007a920d24acb045561c26',
    '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
    '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
    '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB',
    '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb',
  ])('EIP-55 %s passes', (a) => expect(verdict('walletAddress', a)).toBe('OK'));
  test.each([
    ['0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD', 'CHECKSUM'], // one letter's case changed
    ['0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5D359', 'CHECKSUM'],
    ['0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe', 'FORMAT'],
    ['0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeG', 'FORMAT'],
  ])('EIP-55 %s is %s', (a, code) => expect(verdict('walletAddress', a)).toBe(code));

  test('other chains are taken as written', () => {
    expect(verdict('walletAddress', 'TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL')).toBe('OK'); // Tron
    expect(
      verdict('walletAddress', '4AdUndXHHZ6cfufTMvppY6JwXNouMBzSkbLYfpAV5Usx3skxNgYeYTRj5UzqtReoS44qo9mtmXCqY45DJ852K5Jv2684Rge'),
    ).toBe('OK');
  });

  test('checked forms: bech32 and 0x addresses in lower case, base58 as written (its case matters)', () => {
    expect(normalised('walletAddress', 'BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4')).toBe('bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4');
    expect(normalised('walletAddress', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed')).toBe('0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed');
    expect(normalised('walletAddress', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2')).toBe('1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2');
  });
});

describe('vin: ISO 3779, 17 characters, none of I, O and Q', () => {
  test.each(['1M8GDM9AXKP042788', 'WVWZZZ1JZXW000001', 'wvw-zzz-1jz-xw000001'])('%s passes', (vin) =>
    expect(verdict('vin', vin)).toBe('OK'),
  );
  test.each(['1M8GDM9AXKP04278', '1M8GDM9AXKP0427881', '1M8GDM9AXKPO42788', 'IM8GDM9AXKP042788', '1M8GDM9AXKQ042788'])(
    '%s is not a VIN',
    (vin) => expect(verdict('vin', vin)).toBe('FORMAT'),
  );
});

test('types whose standard defines no check are taken as written', () => {
  for (const type of ['accountNumber', 'registration', 'landRegistryId', 'companyNumber', 'toString', '__proto__']) {
    expect(verdict(type, 'anything at all')).toBe('UNCHECKED');
  }
});

describe('links compare the checked forms', () => {
  const valuesOf = (identifiers: Record<string, string>) => linkableIdentifiers([{ identifiers }]).map((i) => `${i.type}=${i.value}`);

  test('an IBAN in print and compact, an IMO number with its prefix and without, an EIP-55 address and its lower case', () => {
    expect(valuesOf({ iban: 'de89 3704 0044 0532 0130 00' })).toEqual(valuesOf({ iban: 'DE89370400440532013000' }));
    expect(valuesOf({ imo: 'IMO 9074729' })).toEqual(valuesOf({ imo: '9074729' }));
    expect(valuesOf({ walletAddress: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed' })).toEqual(
      valuesOf({ walletAddress: '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed' }),
    );
    expect(valuesOf({ lei: '5493 001K JTII GC8Y 1R12' })).toEqual(['lei=5493001KJTIIGC8Y1R12']);
    expect(valuesOf({ bic: 'deut de ff' })).toEqual(['bic=DEUTDEFF']);
  });

  test('the forms recorded before the checks keep their digests', () => {
    // What was compared then: case, spaces and punctuation aside. IBANs, wallets and VINs are unchanged.
    expect(valuesOf({ iban: 'DE89 3704 0044 0532 0130 00' })).toEqual(['iban=DE89370400440532013000']);
    expect(valuesOf({ walletAddress: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq' })).toEqual([
      'walletAddress=BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ',
    ]);
    expect(valuesOf({ vin: 'wvw-zzz-1jz-xw000001' })).toEqual(['vin=WVWZZZ1JZXW000001']);
    // An IMO number was compared with its prefix when written with one: that form is kept beside the bare number.
    expect(valuesOf({ imo: '9074729' })).toEqual(['imo=9074729', 'imo=IMO9074729']);
    // One that fails its check (recorded before there was one) is compared as it was.
    expect(valuesOf({ iban: 'IT60 X054' })).toEqual(['iban=IT60X054']);
  });

  test('one located asset reported with and without the IMO prefix is one asset', () => {
    const boat = { category: 'VESSEL', description: 'Yacht', location: { country: 'FR' } };
    expect(assetIdentity({ ...boat, identifiers: { imo: 'IMO 9074729' } })).toBe(
      assetIdentity({ ...boat, identifiers: { imo: '9074729' } }),
    );
  });
});

describe('found in free text', () => {
  const found = (text: string) => findIdentifiers(text).map((i) => [i.type, i.normalised]);

  test('English', () => {
    const text =
      'Between 2021 and 2023 the subject transferred EUR 2.4 million to DE89 3704 0044 0532 0130 00 and to GB29NWBK60161331926819, ' +
      'held by ACME HOLDINGS LTD (LEI 506700GE1G29325QX363, bank BIC: DEUTDEFF). The yacht, IMO 9074729, is moored in Antibes; ' +
      'a Porsche, VIN WP0ZZZ99ZTS392124, was bought in cash. Proceeds were moved to 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed ' +
      'and bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq, then 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2.';
    expect(found(text)).toEqual([
      ['iban', 'DE89370400440532013000'],
      ['iban', 'GB29NWBK60161331926819'],
      ['lei', '506700GE1G29325QX363'],
      ['bic', 'DEUTDEFF'],
      ['imo', '9074729'],
      ['vin', 'WP0ZZZ99ZTS392124'],
      ['walletAddress', '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed'],
      ['walletAddress', 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq'],
      ['walletAddress', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2'],
    ]);
    expect(findIdentifiers(text).find((i) => i.type === 'iban')?.value).toBe('DE89 3704 0044 0532 0130 00');
  });

  test('French, with its spaces before colons and its non-breaking spaces', () => {
    const text =
      'Virements vers le compte IBAN\u00a0: FR76\u00a03000\u00a06000\u00a00112\u00a03456\u00a07890\u00a0189 (code BIC\u00a0: BNPAFRPP), ' +
      'puis achat du navire n° OMI 9074729 par la société (LEI\u202f: 969500KSV493XWY0PS33).';
    expect(found(text)).toEqual([
      ['iban', 'FR7630006000011234567890189'],
      ['bic', 'BNPAFRPP'],
      ['imo', '9074729'],
      ['lei', '969500KSV493XWY0PS33'],
    ]);
  });

  test('Spanish', () => {
    const text =
      'El investigado ordenó transferencias a la cuenta ES91 2100 0418 4502 0005 1332 (código SWIFT CAIXESBBXXX) y adquirió ' +
      'el buque con número OMI 8814275 y un vehículo con número de bastidor 1M8GDM9AXKP042788.';
    expect(found(text)).toEqual([
      ['iban', 'ES9121000418450200051332'],
      ['bic', 'CAIXESBBXXX'],
      ['imo', '8814275'],
      ['vin', '1M8GDM9AXKP042788'],
    ]);
  });

  test('Arabic, with Latin identifiers embedded in right-to-left text', () => {
    const text =
      'حوّل المشتبه به مبالغ كبيرة إلى الحساب SA03 8000 0000 6080 1016 7519 لدى المصرف (SWIFT: NBOKKWKW)، ' +
      'واشترى السفينة IMO 9074729 عبر شركة معرّفها 5493001KJTIIGC8Y1R12، ونقل الأموال إلى المحفظة 0xde709f2102306220921060314715629080e2fb77.';
    expect(found(text)).toEqual([
      ['iban', 'SA0380000000608010167519'],
      ['bic', 'NBOKKWKW'],
      ['imo', '9074729'],
      ['lei', '5493001KJTIIGC8Y1R12'],
      ['walletAddress', '0xde709f2102306220921060314715629080e2fb77'],
    ]);
  });

  test('what fails its check, or only looks like an identifier, is left out', () => {
    const text =
      'Mistyped: DE89 3704 0044 0532 0130 01, IMO 9074728, LEI 506700GE1G29325QX364, 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD, ' +
      'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5, 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3. Words and numbers: MARTINEZ DOCUMENT NATIONAL ' +
      '(read as BICs they would pass), SWIFT messages, a bare 9074729, reference RGNR 1234/2024, 12345678901234567890, phone +33 6 12 34 56 78.';
    expect(findIdentifiers(text)).toEqual([]);
  });

  test('each identifier once, however often and however it is written', () => {
    expect(found('DE89 3704 0044 0532 0130 00, again DE89370400440532013000 and de89370400440532013000')).toEqual([
      ['iban', 'DE89370400440532013000'],
    ]);
  });

  test('a long text is read in linear time', () => {
    const text = `${'IMO OMI BIC SWIFT DE89 0x bc1 1111 '.repeat(3_000)}IMO 9074729`;
    const started = Date.now();
    expect(found(text)).toEqual([['imo', '9074729']]);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
