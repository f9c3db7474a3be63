/** The console's words for a request on paper (the print view and the PDF extract), in English. Every other language has each of these keys. */
export const print = {
  'print.title': 'Extract of the request',
  'print.page': 'Page {page} of {pages}',
  'print.made': 'Made on {at} for {reader}',
  'print.print': 'Print',
  'print.view': 'Print view',
  'print.pdf': 'PDF extract',
  'print.back': 'Back to the request',
};
