import type { PrintWords } from '../index';

/** الطلب على الورق (عرض الطباعة والمستخرج بصيغة PDF)، بالعربية. */
export const print: PrintWords = {
  'print.title': 'مستخرج من الطلب',
  'print.page': 'الصفحة {page} من {pages}',
  'print.made': 'أُعدّ في {at} لصالح {reader}',
  'print.print': 'طباعة',
  'print.view': 'عرض الطباعة',
  'print.pdf': 'مستخرج PDF',
  'print.back': 'العودة إلى الطلب',
};
