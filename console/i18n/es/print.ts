import type { PrintWords } from '../index';

/** Una solicitud en papel (vista de impresión y extracto PDF), en español. */
export const print: PrintWords = {
  'print.title': 'Extracto de la solicitud',
  'print.page': 'Página {page} de {pages}',
  'print.made': 'Emitido el {at} para {reader}',
  'print.print': 'Imprimir',
  'print.view': 'Vista de impresión',
  'print.pdf': 'Extracto PDF',
  'print.back': 'Volver a la solicitud',
};
