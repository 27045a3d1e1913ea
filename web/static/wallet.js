// What trustbot's signing and wallet-link pages share: finding the browser
// wallet (EIP-1193), calling it, calling the trustbot server, and showing
// progress and failures in words. Plain script, no dependencies.
'use strict';

(function () {
  // PageError is a state the page shows in words. kind names it
  // ("rejected", "chain", "account", "unreachable", "server", "expired",
  // …); retry says whether "Try again" can help.
  class PageError extends Error {
    constructor(kind, message, retry) {
      super(message);
      this.kind = kind;
      this.retry = retry !== false;
    }
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // findProvider resolves to the injected EIP-1193 provider: window.ethereum,
  // or else the first wallet that announces itself under EIP-6963. Wallets
  // that inject late get ms milliseconds. It resolves to null without one.
  function findProvider(ms) {
    return new Promise((resolve) => {
      let done = false;
      const finish = (p) => {
        if (done) return;
        done = true;
        window.removeEventListener('eip6963:announceProvider', onAnnounce);
        resolve(p || null);
      };
      const onAnnounce = (ev) => {
        if (ev.detail && ev.detail.provider && typeof ev.detail.provider.request === 'function') {
          finish(ev.detail.provider);
        }
      };
      if (window.ethereum && typeof window.ethereum.request === 'function') {
        finish(window.ethereum);
        return;
      }
      window.addEventListener('eip6963:announceProvider', onAnnounce);
      window.addEventListener('ethereum#initialized', () => finish(window.ethereum), { once: true });
      window.dispatchEvent(new Event('eip6963:requestProvider'));
      setTimeout(() => finish(window.ethereum), ms);
    });
  }

  // errorCode is an EIP-1193 / JSON-RPC error code, also where some
  // wallets nest it (data.originalError).
  function errorCode(e) {
    if (!e) return undefined;
    if (typeof e.code === 'number') {
      if (e.code === -32603 && e.data && e.data.originalError && typeof e.data.originalError.code === 'number') {
        return e.data.originalError.code;
      }
      return e.code;
    }
    return undefined;
  }

  function errorText(e) {
    if (!e) return 'unknown error';
    const m = (e.data && e.data.message) || e.message || String(e);
    return m.length > 300 ? m.slice(0, 300) + '…' : m;
  }

  // call asks the wallet; a failure is an Error with the wallet's code
  // (4001 rejected, 4100 unauthorized, 4902 unknown chain, …) and message.
  async function call(provider, method, params) {
    try {
      return await provider.request(params === undefined ? { method } : { method, params });
    } catch (e) {
      const err = new Error(errorText(e));
      err.code = errorCode(e);
      err.wallet = true;
      throw err;
    }
  }

  // api calls the trustbot server with JSON; a failure is a PageError of
  // kind "unreachable" (no answer) or "server" (with the server's words and
  // the HTTP status).
  async function api(method, url, body) {
    let res;
    try {
      const init = { method, cache: 'no-store', credentials: 'same-origin' };
      if (body !== undefined) {
        init.headers = { 'Content-Type': 'application/json' };
        init.body = JSON.stringify(body);
      }
      res = await fetch(url, init);
    } catch (e) {
      throw new PageError('unreachable', 'The trustbot server cannot be reached. Check your connection, then try again.');
    }
    let data = null;
    try {
      data = await res.json();
    } catch (e) {
      data = null;
    }
    if (!res.ok) {
      if (data === null && res.status >= 502 && res.status <= 504) {
        throw new PageError('unreachable', 'The trustbot server cannot be reached right now (' + res.status + '). Try again in a moment.');
      }
      const err = new PageError('server', (data && data.error) || 'The trustbot server answered ' + res.status + '.');
      err.status = res.status;
      throw err;
    }
    if (data === null) {
      throw new PageError('server', 'The trustbot server sent an answer this page cannot read.');
    }
    return data;
  }

  // short renders an address as wallets do: 0x1234…abcd.
  const short = (a) => (a && a.length === 42 ? a.slice(0, 6) + '…' + a.slice(-4) : String(a));

  // hexUTF8 is text as 0x-hex of its UTF-8 bytes (personal_sign's input).
  function hexUTF8(text) {
    const bytes = new TextEncoder().encode(text);
    let out = '0x';
    for (const b of bytes) out += b.toString(16).padStart(2, '0');
    return out;
  }

  // el makes an element with text or nodes; nothing is parsed as HTML.
  function el(tag, attrs, ...children) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, v);
    for (const c of children) n.append(c);
    return n;
  }

  // txLink shows a transaction hash, shortened (the whole hash is its
  // title), linked to the explorer when there is one.
  function txLink(explorer, hash) {
    const code = el('code', { title: hash, 'data-hash': hash }, hash.length > 20 ? hash.slice(0, 10) + '…' + hash.slice(-8) : hash);
    if (!explorer) return code;
    return el('a', { href: explorer + '/tx/' + hash, target: '_blank', rel: 'noopener noreferrer' }, code);
  }

  // Page holds the parts every page has: the button, the steps and the
  // notice with its "Try again" button.
  class Page {
    constructor() {
      this.button = document.getElementById('sign');
      this.notice = document.getElementById('notice');
      this.noticeText = document.getElementById('notice-text');
      this.retry = document.getElementById('retry');
      this.steps = document.getElementById('steps');
    }

    step(name, state, ...detail) {
      const li = this.steps.querySelector('[data-step="' + name + '"]');
      if (!li) return;
      this.steps.hidden = false;
      li.className = 'step ' + state;
      li.dataset.state = state;
      const d = li.querySelector('.detail');
      d.replaceChildren(...detail);
    }

    // failActive marks the step in progress as failed.
    failActive() {
      const li = this.steps.querySelector('.step.active');
      if (li) {
        li.className = 'step failed';
        li.dataset.state = 'failed';
      }
    }

    resetSteps() {
      for (const li of this.steps.querySelectorAll('.step')) {
        if (li.dataset.state !== 'done') {
          li.className = 'step';
          li.dataset.state = '';
          li.querySelector('.detail').replaceChildren();
        }
      }
    }

    // show puts a sentence in the notice: kind is its look ("error", "ok",
    // "info") and data-kind, retry shows "Try again".
    show(kind, state, text, retry) {
      this.notice.hidden = false;
      this.notice.className = 'notice notice-' + kind;
      this.notice.dataset.state = state;
      this.noticeText.replaceChildren(...(Array.isArray(text) ? text : [text]));
      this.retry.hidden = !retry;
    }

    hideNotice() {
      this.notice.hidden = true;
      this.notice.dataset.state = '';
      this.retry.hidden = true;
    }
  }

  window.trustbot = { PageError, Page, sleep, findProvider, call, api, short, hexUTF8, el, txLink };
})();
