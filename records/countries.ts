/** The member countries (seeded reference data). */
import type { Db } from './db';

export function memberCountries(db: Db) {
  return db.country.findMany({ orderBy: { code: 'asc' } });
}
