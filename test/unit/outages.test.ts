/**
 * Which failures are a part not answering (503 and try again) rather than a defect (500). The
 * shapes are those the drivers were seen to throw when PostgreSQL or Temporal stopped.
 */
import { unavailablePart } from '../../services/outages';

const prisma = (code: string, cause?: object) =>
  Object.assign(new Error('prisma'), { code, meta: cause ? { driverAdapterError: { name: 'DriverAdapterError', cause } } : {} });
const grpc = (code: number) => Object.assign(new Error('grpc'), { code, details: 'x', metadata: {} });

test.each([
  ['the server unreachable', prisma('P1001', { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 })],
  ['a raw query cut by an administrator shutdown', prisma('P2010', { kind: 'postgres', code: '57P01', originalCode: '57P01' })],
  ['the server starting up', prisma('P2010', { kind: 'postgres', code: '57P03', originalCode: '57P03' })],
  ['the connection closed', prisma('P1017')],
  ['no connection free in the pool in time', prisma('P2024')],
  ['a socket refused, as pg throws it', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
])('the database: %s', (_what, err) => {
  expect(unavailablePart(err)).toBe('database');
});

test('Temporal: UNAVAILABLE and DEADLINE_EXCEEDED, also wrapped as the client wraps them', () => {
  expect(unavailablePart(grpc(14))).toBe('temporal');
  expect(unavailablePart(new Error('service', { cause: grpc(4) }))).toBe('temporal');
});

test.each([
  ['a unique violation', prisma('P2002')],
  ['a raw query refused for a reason of its own', prisma('P2010', { kind: 'postgres', code: '42601', originalCode: '42601' })],
  ['a gRPC NOT_FOUND', grpc(5)],
  ['any other error', new TypeError('x is undefined')],
  ['not an error at all', undefined],
])('not an outage: %s', (_what, err) => {
  expect(unavailablePart(err)).toBeUndefined();
});
