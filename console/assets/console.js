// The one script of the console (served from here, allowed by the Content-Security-Policy's
// script-src 'self'). Every page works without it; it only tells the sign-in form the browser's
// time zone and brings a form's problem summary into view.
document.addEventListener('DOMContentLoaded', function () {
  var zone = '';
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
  } catch {
    zone = '';
  }
  document.querySelectorAll('input[data-browser-time-zone]').forEach(function (input) {
    input.value = zone;
  });
  var summary = document.querySelector('.error-summary');
  if (summary) summary.focus();
});

// A long list of checkboxes (the recipient countries): a box that shows only the names typed, and
// the number chosen, worded by the page's plural rules (the server wrote each form's words).
document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('[data-picker]').forEach(function (picker) {
    var filter = picker.querySelector('[data-picker-filter]');
    var count = picker.querySelector('[data-picker-count]');
    var boxes = Array.prototype.slice.call(picker.querySelectorAll('input[type=checkbox]'));
    var forms = JSON.parse(count.getAttribute('data-forms'));
    var locale = count.getAttribute('data-locale');
    var rules = new Intl.PluralRules(locale);
    var fold = function (s) {
      return s
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .toLocaleLowerCase(locale);
    };
    var update = function () {
      var n = boxes.filter(function (b) {
        return b.checked;
      }).length;
      var words = n === 0 ? forms.none : forms[rules.select(n)] || forms.other;
      count.textContent = words.replace('{n}', n.toLocaleString(locale));
    };
    boxes.forEach(function (b) {
      b.addEventListener('change', update);
    });
    filter.hidden = false;
    var input = filter.querySelector('input');
    input.addEventListener('input', function () {
      var typed = fold(input.value.trim());
      picker.querySelectorAll('.picker-group').forEach(function (group) {
        var shown = 0;
        group.querySelectorAll('span:not(.picker-letter)').forEach(function (item) {
          var box = item.querySelector('input');
          var match = !typed || box.checked || fold(item.textContent).indexOf(typed) !== -1 || box.value.toLowerCase() === typed;
          item.hidden = !match;
          if (match) shown++;
        });
        group.hidden = shown === 0;
      });
    });
    // Enter in the filter would send the whole request.
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Enter') e.preventDefault();
    });
  });
});
