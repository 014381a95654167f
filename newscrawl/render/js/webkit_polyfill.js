(function () {
  if (!window.URLSearchParams) {
    var dec = function (s) { return decodeURIComponent(s.replace(/\+/g, ' ')); };
    var P = function (search) {
      var q = this._q = {};
      String(search || '').replace(/^\?/, '').split('&').forEach(function (kv) {
        if (!kv) return;
        var i = kv.indexOf('=');
        var k = dec(i < 0 ? kv : kv.slice(0, i)), v = i < 0 ? '' : dec(kv.slice(i + 1));
        if (!(k in q)) q[k] = v;
      });
    };
    P.prototype.get = function (k) { return k in this._q ? this._q[k] : null; };
    P.prototype.has = function (k) { return k in this._q; };
    window.URLSearchParams = P;
  }
  if (!window.fetch) {
    window.fetch = function (url, opts) {
      opts = opts || {};
      return new Promise(function (resolve, reject) {
        var x = new XMLHttpRequest();
        x.open(opts.method || 'GET', String(url), true);
        var h = opts.headers || {};
        for (var k in h) x.setRequestHeader(k, h[k]);
        x.onload = function () {
          var body = x.responseText;
          resolve({
            ok: x.status >= 200 && x.status < 300, status: x.status, statusText: x.statusText,
            url: x.responseURL || String(url),
            text: function () { return Promise.resolve(body); },
            json: function () { return Promise.resolve(body).then(JSON.parse); }
          });
        };
        x.onerror = function () { reject(new TypeError('Network request failed')); };
        x.send(opts.body == null ? null : opts.body);
      });
    };
  }
})();
