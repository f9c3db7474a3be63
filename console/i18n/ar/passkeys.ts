/** مفاتيح المرور وقاعدة تسجيل الدخول، بالعربية. */
import type { PasskeyWords } from '../index';

export const passkeys: PasskeyWords = {
  'nav.passkeys': 'مفاتيح المرور',
  'nav.signInPolicy': 'قاعدة تسجيل الدخول',
  'passkey.signIn.title': 'أكّد بمفتاح المرور',
  'passkey.signIn.intro': 'قُبل مفتاحك. وأنت تستخدم أيضًا مفتاح مرور: أكّد به للمتابعة.',
  'passkey.signIn.submit': 'استخدام مفتاح المرور',
  'passkey.otherKey': 'تسجيل الدخول بمفتاح آخر',
  'passkey.needsScript': 'تحتاج مفاتيح المرور إلى JavaScript في هذا المتصفح.',
  'passkey.browserFailed': 'لم يقدّم المتصفح مفتاح مرور: أُلغيت العملية أو انتهت مهلتها، أو لا يوجد أي من مفاتيحك على هذا الجهاز.',
  'passkey.list.intro': 'يُطلب مفتاح مرور (مفتاح أمان، أو قفل شاشة هذا الجهاز) بعد مفتاحك عند كل تسجيل دخول.',
  'passkey.list.none': 'ليس لديك مفتاح مرور بعد.',
  'passkey.required': 'يشترط مسؤولك مفتاح مرور. أضف واحدًا للمتابعة: لا يُفتح شيء آخر قبل ذلك.',
  'passkey.add.title': 'إضافة مفتاح مرور',
  'passkey.add.name': 'الاسم',
  'passkey.add.nameHint': 'للتمييز بين مفاتيح مرورك، مثل «حاسوب المكتب».',
  'passkey.add.submit': 'إضافة مفتاح مرور',
  'passkey.added': 'أُضيف مفتاح المرور. سيُطلب عند تسجيل دخولك القادم.',
  'passkey.removed': 'أُزيل مفتاح المرور.',
  'passkey.remove': 'إزالة',
  'policy.passkeysRequired': 'اشتراط مفتاح مرور على الجميع',
  'policy.hint': 'من يسجّل الدخول بمفتاح وليس لديه مفتاح مرور عليه أن يضيف واحدًا قبل أي شيء آخر. ومن لديه مفتاح مرور يُطلب منه دائمًا.',
  'policy.saved': 'حُفظت قاعدة تسجيل الدخول.',
};
