/**
 * Finding asset identifiers in free text, for the people who write and review requests: an officer
 * writes "transfers to DE89 …, vessel IMO 9074729" in the facts and is offered each as an asset.
 * Nothing is stored: the text is read and forgotten.
 */
import { findIdentifiers, type FoundIdentifier } from '../domain/identifiers-in-text';
import type { Principal } from './context';
import { forbidden } from './refusals';

const MAY_EXTRACT: readonly string[] = ['NCB', 'REVIEWER'];

export function identifierService() {
  return {
    extract(principal: Principal, text: string): { items: FoundIdentifier[] } {
      if (!MAY_EXTRACT.includes(principal.role)) throw forbidden('Finding identifiers is for NCB and REVIEWER keys');
      return { items: findIdentifiers(text) };
    },
  };
}
