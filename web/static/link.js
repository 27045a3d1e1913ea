// The wallet-link page: connects the browser wallet, asks trustbot for the
// exact EIP-4361 message for that address, has the wallet sign it with
// personal_sign and posts the signature, which links the wallet to the
// Discord account.
'use strict';

(function () {
  const TB = window.trustbot;
  const root = document.getElementById('link');
  if (!TB || !root) return;
  const { PageError, api, call, short } = TB;

  const jsonURL = root.dataset.json;
  const messageURL = root.dataset.message;
  const postURL = root.dataset.post;
  const page = new TB.Page();
  const messageEl = document.getElementById('message');

  let info = null; // the link's fields as last fetched
  let provider = null;
  let busy = false;
  let over = false;

  function until() {
    const t = info ? new Date(info.expirationTime) : null;
    return t && !Number.isNaN(t.getTime()) ? ' until ' + t.toLocaleTimeString() : '';
  }

  async function walletCall(what, method, params) {
    try {
      return await call(provider, method, params);
    } catch (e) {
      switch (e.code) {
        case 4001:
          throw new PageError('rejected', 'You declined ' + what + ' in your wallet. Nothing was linked; this link still works' + until() + ': try again when you are ready.');
        case 4100:
          throw new PageError('wallet', 'Your wallet has not allowed this page to use it. Unlock the wallet and connect it, then try again.');
        case -32002:
          throw new PageError('wallet', 'Your wallet already has a request waiting. Open the wallet, answer it, then try again.');
      }
      throw new PageError('wallet', 'Your wallet could not do ' + what + ': ' + e.message + '.');
    }
  }

  function stop(kind, state, text) {
    over = true;
    page.button.hidden = true;
    page.show(kind, state, text, false);
  }

  function fail(e) {
    const pe = e instanceof PageError ? e : new PageError('error', 'Something went wrong on this page: ' + (e && e.message ? e.message : String(e)) + '.');
    page.failActive();
    // A link that is used, expired or unknown cannot be tried again.
    if (pe.kind === 'server' && (pe.status === 404 || pe.status === 409 || pe.status === 410)) {
      return stop('error', 'over', pe.message);
    }
    page.show(pe.kind === 'nowallet' ? 'info' : 'error', pe.kind, pe.message, pe.retry);
  }

  async function run() {
    page.step('connect', 'active', 'asking your wallet…');
    const accounts = await walletCall('the connection', 'eth_requestAccounts');
    if (!Array.isArray(accounts) || accounts.length === 0) {
      throw new PageError('account', 'Your wallet shared no account with this page. Unlock it, then try again.');
    }
    const address = accounts[0];
    page.step('connect', 'done', 'connected ' + short(address));

    page.step('sign', 'active', 'preparing the message…');
    const { message } = await api('POST', messageURL, { address });
    messageEl.textContent = message;
    page.step('sign', 'active', 'confirm it in your wallet…');
    const signature = await walletCall('the signature', 'personal_sign', [TB.hexUTF8(message), address]);
    if (typeof signature !== 'string' || !/^0x([0-9a-fA-F]{2})+$/.test(signature)) {
      throw new PageError('wallet', 'Your wallet answered with something that is not a signature.');
    }
    page.step('sign', 'done', 'signed');

    page.step('link', 'active', 'checking the signature…');
    const res = await api('POST', postURL, { message, signature });
    page.step('link', 'done', short(res.address));
    stop('ok', 'linked', 'Linked ' + short(res.address) + ' to @' + res.user + '. You can close this page and go back to Discord.');
  }

  async function start() {
    if (busy || over) return;
    busy = true;
    page.hideNotice();
    page.resetSteps();
    page.button.hidden = true;
    try {
      if (!provider) provider = await TB.findProvider(0);
      if (!provider) throw new PageError('nowallet', 'No Ethereum wallet was found in this browser. Open this link in a browser with a wallet extension (MetaMask, Rabby, Coinbase Wallet…), or in the browser built into your wallet app.');
      await run();
    } catch (e) {
      fail(e);
    } finally {
      busy = false;
    }
  }

  async function init() {
    if (busy || over) return;
    busy = true;
    page.hideNotice();
    page.button.hidden = false;
    page.button.disabled = true;
    page.button.textContent = 'Looking for a wallet…';
    try {
      info = await api('GET', jsonURL);
      provider = await TB.findProvider(800);
      if (!provider) {
        page.button.hidden = true;
        throw new PageError('nowallet', 'No Ethereum wallet was found in this browser. Open this link in a browser with a wallet extension (MetaMask, Rabby, Coinbase Wallet…), or in the browser built into your wallet app.');
      }
      page.button.disabled = false;
      page.button.textContent = 'Connect wallet and sign';
    } catch (e) {
      page.button.hidden = true;
      fail(e);
    } finally {
      busy = false;
    }
  }

  page.button.addEventListener('click', start);
  page.retry.addEventListener('click', () => (provider && info ? start() : init()));
  init();
})();
