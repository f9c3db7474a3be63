// The passkey pages' script (served from here, allowed by script-src 'self'). A form marked
// data-passkey runs a WebAuthn ceremony before it is posted: the options the server made for this
// session come in data-passkey-options (WebAuthn's JSON form, binary values base64url), and the
// browser's answer goes back in the form's `response` field in the same JSON form.
(function () {
  var g = globalThis;

  function bytes(text) {
    var b64 = text.replace(/-/g, '+').replace(/_/g, '/');
    var raw = g.atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function text(buffer) {
    if (!buffer) return undefined;
    var view = new Uint8Array(buffer);
    var raw = '';
    for (var i = 0; i < view.length; i++) raw += String.fromCharCode(view[i]);
    return g.btoa(raw).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function credentials(list) {
    return (list || []).map(function (c) {
      return { type: c.type || 'public-key', id: bytes(c.id), transports: c.transports };
    });
  }

  function creationOptions(o) {
    return Object.assign({}, o, {
      challenge: bytes(o.challenge),
      user: Object.assign({}, o.user, { id: bytes(o.user.id) }),
      excludeCredentials: credentials(o.excludeCredentials),
    });
  }

  function requestOptions(o) {
    return Object.assign({}, o, { challenge: bytes(o.challenge), allowCredentials: credentials(o.allowCredentials) });
  }

  function answer(credential) {
    var r = credential.response;
    var response = r.attestationObject
      ? {
          clientDataJSON: text(r.clientDataJSON),
          attestationObject: text(r.attestationObject),
          transports: typeof r.getTransports === 'function' ? r.getTransports() : [],
        }
      : {
          clientDataJSON: text(r.clientDataJSON),
          authenticatorData: text(r.authenticatorData),
          signature: text(r.signature),
          userHandle: text(r.userHandle),
        };
    return {
      id: credential.id,
      rawId: text(credential.rawId),
      type: credential.type,
      response: response,
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
    };
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('form[data-passkey]').forEach(function (form) {
      var failed = form.querySelector('[data-passkey-failed]');
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        if (failed) failed.hidden = true;
        var options = JSON.parse(form.getAttribute('data-passkey-options'));
        var ceremony =
          form.getAttribute('data-passkey') === 'create'
            ? g.navigator.credentials.create({ publicKey: creationOptions(options) })
            : g.navigator.credentials.get({ publicKey: requestOptions(options) });
        ceremony.then(
          function (credential) {
            form.elements.namedItem('response').value = JSON.stringify(answer(credential));
            form.submit();
          },
          function () {
            if (failed) failed.hidden = false;
          },
        );
      });
    });
  });
})();
