import type { PrintWords } from '../index';

/** Une demande sur papier (version imprimable et extrait PDF), en français. */
export const print: PrintWords = {
  'print.title': 'Extrait de la demande',
  'print.page': 'Page {page} sur {pages}',
  'print.made': 'Établi le {at} pour {reader}',
  'print.print': 'Imprimer',
  'print.view': 'Version imprimable',
  'print.pdf': 'Extrait PDF',
  'print.back': 'Retour à la demande',
};
