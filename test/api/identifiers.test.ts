/**
 * Asset identifiers over HTTP: a mistyped one is refused at its own path with CHECKSUM (or FORMAT),
 * in assets sought, in a clarification's changes and in located assets; POST /v1/identifiers/extract
 * finds the valid ones in text of the console's four languages; links compare the checked forms.
 */
import crypto from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3';
import {
  expectFieldErrors,
  expectProblem,
  failOnServerErrors,
  freshRequest,
  publish,
  submit,
  waitForStatus,
  located,
} from '../support/helpers';
import { ibanFor, startTestSystem, type TestSystem } from '../support/system';

let sys: TestSystem;
let it_: string, es: string, fr: string, reviewer: string, ccf: string;

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES']);
  [it_, es, fr, reviewer, ccf] = await sys.keys('IT', 'ES', 'FR', 'REVIEWER', 'CCF');
});
afterAll(() => sys?.stop());
failOnServerErrors(() => sys);

/** Valid examples from each standard, and each with one character mistyped. */
const VALID = {
  iban: 'DE89 3704 0044 0532 0130 00',
  imo: 'IMO 9074729',
  lei: '506700GE1G29325QX363',
  bic: 'DEUTDEFF',
  walletAddress: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
  vin: '1M8GDM9AXKP042788',
};
const MISTYPED: [type: string, value: string, code: 'CHECKSUM' | 'FORMAT'][] = [
  ['iban', 'DE89 3704 0044 0532 0130 01', 'CHECKSUM'],
  ['imo', 'IMO 9074728', 'CHECKSUM'],
  ['lei', '506700GE1G29325QX364', 'CHECKSUM'],
  ['walletAddress', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD', 'CHECKSUM'], // EIP-55: one letter's case
  ['walletAddress', 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5', 'CHECKSUM'], // bech32
  ['walletAddress', 'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd', 'CHECKSUM'], // bech32, not bech32m, for v1
  ['walletAddress', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3', 'CHECKSUM'], // base58check
  // No check digit in these two: a mistyped one is one its standard does not allow.
  ['bic', 'DEUT1EFF', 'FORMAT'],
  ['vin', '1M8GDM9AXKPO42788', 'FORMAT'],
];

/** The code of the field error at `path`. */
const codeAt = (res: { body: any }, path: string) => res.body.errors?.find((e: { path: string }) => e.path === path)?.code;

const withAssets = (identifiers: Record<string, string>[]) => {
  const body = freshRequest({ recipients: ['FR'] });
  body.assetsSought = identifiers.map((ids) => ({ ...body.assetsSought[0], identifiers: ids }));
  return body;
};

describe('assets sought', () => {
  test('valid identifiers of every checked type are taken, as written', async () => {
    const res = await sys.call('POST', '/v1/notices', { key: it_, body: withAssets([VALID]) });
    expect(res.status).toBe(201);
    expect(res.body.assetsSought[0].identifiers).toEqual(VALID);
  });

  test.each(MISTYPED)('a mistyped %s (%s) is 400 with %s at its path, and nothing is recorded', async (type, value, code) => {
    const before = await sys.db.prisma.notice.count();
    const res = await sys.call('POST', '/v1/notices', { key: it_, body: withAssets([{ iban: VALID.iban }, { [type]: value }]) });
    expectFieldErrors(res, `assetsSought.1.identifiers.${type}`);
    expect(res.body.code).toBe('VALIDATION');
    expect(codeAt(res, `assetsSought.1.identifiers.${type}`)).toBe(code);
    expect(res.body.errors).toHaveLength(1);
    expect(await sys.db.prisma.notice.count()).toBe(before);
  });

  test("a clarification's changes are checked the same way", async () => {
    const n = await submit(sys, it_, freshRequest({ recipients: ['FR'] }));
    await waitForStatus(sys, n.id, it_, 'UNDER_REVIEW');
    const asked = await sys.call('POST', `/v1/notices/${n.id}/decisions`, {
      key: reviewer,
      body: { decision: 'REQUEST_CLARIFICATION', reason: 'Which account?' },
    });
    expect(asked.status).toBe(200);
    const answer = (identifiers: Record<string, string>) =>
      sys.call('POST', `/v1/notices/${n.id}/clarifications`, {
        key: it_,
        body: { message: 'The account', changes: { assetsSought: withAssets([identifiers]).assetsSought } },
      });
    const refused = await answer({ iban: 'DE89 3704 0044 0532 0130 01', imo: '9074728' });
    expectFieldErrors(refused, 'changes.assetsSought.0.identifiers.iban', 'changes.assetsSought.0.identifiers.imo');
    expect(codeAt(refused, 'changes.assetsSought.0.identifiers.iban')).toBe('CHECKSUM');
    expect(codeAt(refused, 'changes.assetsSought.0.identifiers.imo')).toBe('CHECKSUM');
    expect((await answer({ iban: VALID.iban, imo: '9074729' })).status).toBe(200);
  });
});

describe('located assets', () => {
  test.each(MISTYPED)('a mistyped %s (%s) in an answer is 400 with %s at its path', async (type, value, code) => {
    const n = await publishedToFrance();
    const res = await sys.call('POST', `/v1/notices/${n}/responses`, {
      key: fr,
      body: { outcome: 'ASSETS_LOCATED', assets: [located(), located({ category: 'OTHER', identifiers: { [type]: value } })] },
    });
    expectFieldErrors(res, `assets.1.identifiers.${type}`);
    expect(codeAt(res, `assets.1.identifiers.${type}`)).toBe(code);
    expect((await sys.call('GET', `/v1/notices/${n}/responses`, { key: fr })).body.items).toEqual([]);
  });

  test('valid ones are taken', async () => {
    const n = await publishedToFrance();
    const res = await sys.call('POST', `/v1/notices/${n}/responses`, {
      key: fr,
      body: { outcome: 'ASSETS_LOCATED', final: false, assets: [located({ category: 'OTHER', identifiers: VALID })] },
    });
    expect(res.status).toBe(201);
  });
});

let published: string | undefined;
/** One published request addressed to France (a refused answer leaves it as it was). */
async function publishedToFrance(): Promise<string> {
  published ??= (await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR'] }))).id as string;
  return published;
}

describe('POST /v1/identifiers/extract', () => {
  const extract = (key: string, body: unknown) => sys.call('POST', '/v1/identifiers/extract', { key, body });
  const found = async (text: string) => {
    const res = await extract(it_, { text });
    expect(res.status).toBe(200);
    return res.body.items as { type: string; value: string; normalised: string }[];
  };

  test('English: every type, as written and checked', async () => {
    const items = await found(
      'The subject wired EUR 2.4 million to DE89 3704 0044 0532 0130 00 (BIC: DEUTDEFF), held by a company with LEI ' +
        '506700GE1G29325QX363. The yacht IMO 9074729 and a car, VIN 1M8GDM9AXKP042788, were bought with funds from ' +
        '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed and bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq. Mistyped in the ' +
        'statement: DE89 3704 0044 0532 0130 01 and IMO 9074728.',
    );
    expect(items).toEqual([
      { type: 'iban', value: 'DE89 3704 0044 0532 0130 00', normalised: 'DE89370400440532013000' },
      { type: 'bic', value: 'DEUTDEFF', normalised: 'DEUTDEFF' },
      { type: 'lei', value: '506700GE1G29325QX363', normalised: '506700GE1G29325QX363' },
      { type: 'imo', value: 'IMO 9074729', normalised: '9074729' },
      { type: 'vin', value: '1M8GDM9AXKP042788', normalised: '1M8GDM9AXKP042788' },
      {
        type: 'walletAddress',
        value: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
        normalised: '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed',
      },
      {
        type: 'walletAddress',
        value: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
        normalised: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
      },
    ]);
  });

  test('French', async () => {
    const items = await found(
      'Le mis en cause a viré les fonds sur le compte FR76 3000 6000 0112 3456 7890 189, puis acheté le navire ' +
        'OMI 9074729 par l’intermédiaire d’une société (LEI : 5493001KJTIIGC8Y1R12).',
    );
    expect(items.map((i) => [i.type, i.normalised])).toEqual([
      ['iban', 'FR7630006000011234567890189'],
      ['imo', '9074729'],
      ['lei', '5493001KJTIIGC8Y1R12'],
    ]);
  });

  test('Spanish', async () => {
    const items = await found(
      'Transferencias a la cuenta ES9121000418450200051332 y a la cartera 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2; el vehículo ' +
        'con número de bastidor WVWZZZ1JZXW000001 figura a nombre de un testaferro.',
    );
    expect(items.map((i) => [i.type, i.normalised])).toEqual([
      ['iban', 'ES9121000418450200051332'],
      ['walletAddress', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2'],
      ['vin', 'WVWZZZ1JZXW000001'],
    ]);
  });

  test('Arabic, with Latin identifiers embedded', async () => {
    const items = await found(
      'حوّل المشتبه به الأموال إلى الحساب SA03 8000 0000 6080 1016 7519 ثم إلى المحفظة ' +
        'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0، واشترى السفينة IMO 9074729.',
    );
    expect(items.map((i) => [i.type, i.normalised])).toEqual([
      ['iban', 'SA0380000000608010167519'],
      ['walletAddress', 'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0'],
      ['imo', '9074729'],
    ]);
  });

  test('nothing found is an empty list', async () => {
    expect(await found('No identifier here, only ROSSI MARIO and RGNR 1234/2024.')).toEqual([]);
    expect(await found('')).toEqual([]);
  });

  test('for NCBs and reviewers; the text is limited', async () => {
    expect((await extract(reviewer, { text: 'IMO 9074729' })).body.items).toHaveLength(1);
    expectProblem(await extract(ccf, { text: 'IMO 9074729' }), 403);
    expectProblem(await extract(sys.adminKey, { text: 'IMO 9074729' }), 403);
    expectProblem(await sys.call('POST', '/v1/identifiers/extract', { body: { text: 'x' } }), 401);
    expectFieldErrors(await extract(it_, {}), 'text');
    expectFieldErrors(await extract(it_, { text: 42 }), 'text');
    expectFieldErrors(await extract(it_, { text: 'x', other: 1 }), 'other');
    const long = await extract(it_, { text: `IMO 9074729 ${'x'.repeat(100_000)}` });
    expectFieldErrors(long, 'text');
    expect(codeAt(long, 'text')).toBe('TOO_LONG');
    expect((await extract(it_, { text: `${'words '.repeat(16_000)}IMO 9074729` })).body.items).toHaveLength(1);
  });

  test('is documented', async () => {
    const doc = (await sys.call('GET', '/openapi.json')).body;
    expect(doc.paths['/v1/identifiers/extract'].post.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ExtractRequest',
    });
    expect(doc.components.schemas.ExtractRequest.properties.text.maxLength).toBe(100_000);
  });
});

/** A random EIP-55 address: 40 hex digits, each letter's case set by the keccak-256 of the lower-case form. */
function eip55Address(): string {
  const lower = [...crypto.getRandomValues(new Uint8Array(20))].map((b) => b.toString(16).padStart(2, '0')).join('');
  const hash = keccak_256(new TextEncoder().encode(lower));
  return `0x${[...lower].map((c, i) => (((hash[i >> 1] >> (i % 2 ? 0 : 4)) & 15) >= 8 ? c.toUpperCase() : c)).join('')}`;
}
/** A random IMO number with its check digit. */
function imoNumber(): string {
  const six = String(100_000 + Math.floor(Math.random() * 900_000));
  const sum = [...six].reduce((s, d, i) => s + Number(d) * (7 - i), 0);
  return `${six}${sum % 10}`;
}

describe('links compare the checked forms', () => {
  const linked = async (a: Record<string, string>, b: Record<string, string>, type: string) => {
    const first = await submit(sys, it_, withAssets([a]));
    const second = await submit(sys, es, withAssets([b]));
    await waitForStatus(sys, second.id, es, 'UNDER_REVIEW');
    expect((await sys.call('GET', `/v1/notices/${first.id}/links`, { key: reviewer })).body.items).toEqual([
      { identifierType: type, detectedAt: expect.any(String), otherNoticeId: second.id, otherReference: null },
    ]);
  };

  test('two IBANs that differ only in spacing and case', async () => {
    const iban = ibanFor('DE', `370400440${crypto.randomInt(1e9).toString().padStart(9, '0')}`);
    const spaced = iban.toLowerCase().replace(/(.{4})/g, '$1 ');
    await linked({ iban: spaced }, { iban }, 'iban');
  });

  test('an IMO number with its prefix and without', async () => {
    const imo = imoNumber();
    await linked({ imo: `IMO ${imo}` }, { imo }, 'imo');
  });

  test('an EIP-55 address and its lower-case form', async () => {
    const address = eip55Address();
    expect(address).not.toBe(address.toLowerCase());
    await linked({ walletAddress: address }, { walletAddress: address.toLowerCase() }, 'walletAddress');
  });

  test('an LEI, a new type, links like the others', async () => {
    const entity = `5493${crypto.randomBytes(7).toString('hex').toUpperCase()}`;
    let rest = 0;
    for (const c of `${entity}00`) rest = ((parseInt(c, 36) > 9 ? rest * 100 : rest * 10) + parseInt(c, 36)) % 97;
    const lei = `${entity}${String(98 - rest).padStart(2, '0')}`;
    await linked({ lei: lei.toLowerCase() }, { lei }, 'lei');
  });
});
