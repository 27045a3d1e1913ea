// The signing page: connects the browser wallet, switches it to the
// request's chain, checks the account, sends the request's calls in order
// (each mined before the next), reports each hash to trustbot and follows
// the request until the chain watcher confirms it.
'use strict';

(function () {
  const TB = window.trustbot;
  const root = document.getElementById('request');
  if (!TB || !root) return;
  const { PageError, api, call, short, el, sleep } = TB;

  const jsonURL = root.dataset.json;
  const txURL = root.dataset.tx;
  const checkURL = root.dataset.check;
  const page = new TB.Page();
  const statusEl = document.getElementById('status');
  const countdown = document.getElementById('countdown');
  const noWallet = document.getElementById('nowallet');
  const reportForm = document.getElementById('report');
  const hashInput = document.getElementById('hash');
  const reportN = document.getElementById('report-n');

  const POLL_MS = 1000; // request status while waiting for the watcher
  const RECEIPT_MS = 500; // receipts while waiting for a transaction to be mined
  const IDLE_MS = 15000; // request status while nobody is signing
  const REPORT_TRIES = 30; // a hash the node does not know yet is reported again, once a second

  // Selectors of functions that hand out spending rights (see checkCalls).
  const SEL_APPROVE = '0x095ea7b3';
  const SEL_DEPOSIT = '0xb6b55f25';
  const SEL_FORBIDDEN = ['0x39509351', '0xd505accf', '0xa22cb465']; // increaseAllowance, permit, setApprovalForAll

  let req = null; // the request as last fetched
  let skew = 0; // server clock minus this browser's clock, in ms
  let provider = null;
  let account = null;
  let busy = false;
  let over = false; // a final state is shown: nothing more to do

  const isHash = (h) => typeof h === 'string' && /^0x[0-9a-fA-F]{64}$/.test(h);
  const sameAddr = (a, b) => typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();
  const txOf = (r, i) => r.txs.find((t) => t.index === i);
  const allSent = (r) => r.txs.length >= r.calls.length;
  const awaitingSigner = (r) => ['created', 'opened', 'submitted'].includes(r.status) && !allSent(r);
  const link = (hash) => TB.txLink(req && req.explorerUrl, hash);

  // label names call i for people: "transaction 2 (deposit)".
  function label(i) {
    const d = req.calls[i].decoded;
    const what = d ? d.method || 'transfer' : 'unknown function';
    return 'transaction ' + (i + 1) + ' (' + what + ')';
  }

  // Hashes sent but not yet reported survive a reload of the tab, so that a
  // reload never sends a call twice.
  const sentKey = (i) => 'trustbot:' + jsonURL + ':' + i;
  function remembered(i) {
    try {
      const h = sessionStorage.getItem(sentKey(i));
      return isHash(h) ? h : null;
    } catch (e) {
      return null;
    }
  }
  function remember(i, hash) {
    try {
      sessionStorage.setItem(sentKey(i), hash);
    } catch (e) {
      // storage may be off: then only this page load knows
    }
  }
  function forget(i) {
    try {
      sessionStorage.removeItem(sentKey(i));
    } catch (e) {
      // as above
    }
  }

  // render shows a fetched request: status, each call's transaction, the countdown.
  function render(r) {
    req = r;
    const serverNow = Date.parse(r.now);
    if (!Number.isNaN(serverNow)) skew = serverNow - Date.now();
    statusEl.textContent = r.status + (r.error ? ': ' + r.error : '');
    statusEl.className = 'status status-' + r.status;
    for (const dd of document.querySelectorAll('.call-state')) {
      const i = Number(dd.dataset.call);
      const t = txOf(r, i);
      if (!t) {
        dd.replaceChildren('not sent yet');
        continue;
      }
      const parts = ['sent ', link(t.hash), ': ' + t.status];
      if (t.blockNumber !== null && t.blockNumber !== undefined) parts.push(' in block ' + t.blockNumber);
      dd.replaceChildren(...parts);
      if (t.status === 'confirmed') page.step('call-' + i, 'done', 'confirmed in block ' + t.blockNumber + ': ', link(t.hash));
    }
    if (reportN) reportN.textContent = String(Math.min(r.txs.length + 1, r.calls.length));
    tick();
  }

  // overError is the state of a request that no longer waits for anyone,
  // or null. A confirmed request is not an error: see showConfirmed.
  function overError(r) {
    switch (r.status) {
      case 'failed':
        return new PageError('failed', 'This request failed' + (r.error ? ': ' + r.error : '') + '. Its link cannot be used again: run the command again on Discord.', false);
      case 'expired':
        return new PageError('expired', 'This signing link expired. Run the command again on Discord.', false);
      case 'stale':
        return new PageError('stale', (r.error || 'The chain changed after this link was made, so it would refuse this now. Nothing was sent.') + ' This link cannot be used again.', false);
      case 'cancelled':
        return new PageError('cancelled', 'This signing request was cancelled. Run the command again on Discord if you still want to do this.', false);
    }
    return null;
  }

  function stop() {
    over = true;
    page.button.hidden = true;
    noWallet.hidden = true;
  }

  function showOver(pe) {
    stop();
    page.failActive();
    page.show('error', pe.kind, pe.message, false);
  }

  function showConfirmed(already) {
    stop();
    page.step('confirm', 'done', 'trustbot saw ' + (req.txs.length === 1 ? 'the transaction' : 'all ' + req.txs.length + ' transactions') + ' on the chain');
    const links = [];
    for (const t of req.txs) links.push(' ', link(t.hash));
    const txWord = req.txs.length === 1 ? 'Transaction' : 'Transactions';
    if (already) {
      page.show('ok', 'used', ['This request was already signed and confirmed; its link cannot be used again. ' + txWord + ':', ...links], false);
    } else {
      page.show('ok', 'confirmed', ['Confirmed: ' + req.summary + ' ' + txWord + ':', ...links], false);
    }
  }

  // tick counts down to the expiry by the server's clock.
  function tick() {
    if (!req) return;
    if (!awaitingSigner(req)) {
      countdown.textContent = '';
      return;
    }
    const left = Date.parse(req.expiresAt) - (Date.now() + skew);
    if (left <= 0) {
      countdown.textContent = '(expired)';
      if (!busy && !over) showOver(new PageError('expired', 'This signing link expired. Run the command again on Discord.', false));
      return;
    }
    const s = Math.floor(left / 1000);
    countdown.textContent = '(' + Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0') + ' left)';
  }

  // walletCall asks the wallet for what; its refusals become states in words.
  async function walletCall(what, method, params) {
    try {
      return await call(provider, method, params);
    } catch (e) {
      const sent = req && req.txs.length > 0 ? ' ' + (req.txs.length === 1 ? 'Transaction 1 was' : 'Transactions 1 to ' + req.txs.length + ' were') + ' sent already; the rest was not.' : ' Nothing was sent.';
      switch (e.code) {
        case 4001:
          throw new PageError('rejected', 'You rejected ' + what + ' in your wallet.' + sent + ' The request is still open: try again when you are ready.');
        case 4100:
          throw new PageError('wallet', 'Your wallet has not allowed this page to use it. Unlock the wallet and connect it, then try again.');
        case -32002:
          throw new PageError('wallet', 'Your wallet already has a request waiting. Open the wallet, answer it, then try again.');
      }
      throw new PageError('wallet', 'Your wallet could not do ' + what + ': ' + e.message + '.' + sent);
    }
  }

  async function chainId() {
    const v = await walletCall('the network check', 'eth_chainId');
    if (typeof v === 'number') return v;
    const s = String(v);
    return s.startsWith('0x') || s.startsWith('0X') ? parseInt(s, 16) : parseInt(s, 10);
  }

  function wrongChain(have, why) {
    return new PageError('chain', why + 'Your wallet is on chain ' + have + ', but this request is for ' + req.chainName + ' (chain id ' + req.chainId + '). Switch your wallet to ' + req.chainName + ', then try again.');
  }

  async function switchChain(have) {
    try {
      await call(provider, 'wallet_switchEthereumChain', [{ chainId: '0x' + req.chainId.toString(16) }]);
    } catch (e) {
      if (e.code === 4902) return false;
      if (e.code === 4001) throw wrongChain(have, 'You declined to switch networks. ');
      throw wrongChain(have, 'Your wallet could not switch networks (' + e.message + '). ');
    }
    return true;
  }

  async function addChain(have) {
    if (!req.rpcUrl) {
      throw new PageError('chain', 'Your wallet does not know ' + req.chainName + ' (chain id ' + req.chainId + '). Add that network to your wallet, then try again.');
    }
    page.step('chain', 'active', 'your wallet does not know ' + req.chainName + ' yet: asking it to add it…');
    const params = {
      chainId: '0x' + req.chainId.toString(16),
      chainName: req.chainName,
      rpcUrls: [req.rpcUrl],
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    };
    if (req.explorerUrl) params.blockExplorerUrls = [req.explorerUrl];
    try {
      await call(provider, 'wallet_addEthereumChain', [params]);
    } catch (e) {
      if (e.code === 4001) throw wrongChain(have, 'You declined to add the network. ');
      throw wrongChain(have, 'Your wallet could not add the network (' + e.message + '). ');
    }
  }

  // ensureChain puts the wallet on the request's chain: switch, or add it
  // when the wallet does not know it (4902).
  async function ensureChain() {
    page.step('chain', 'active', 'checking the network…');
    let have = await chainId();
    if (have !== req.chainId) {
      page.step('chain', 'active', 'your wallet is on chain ' + have + ': asking it to switch…');
      if (!(await switchChain(have))) {
        await addChain(have);
        if ((await chainId()) !== req.chainId) await switchChain(have);
      }
      have = await chainId();
      if (have !== req.chainId) throw wrongChain(have, '');
    }
    page.step('chain', 'done', req.chainName + ' (chain id ' + req.chainId + ')');
  }

  function wrongAccount(have) {
    page.step('account', 'failed', 'your wallet uses ' + short(have));
    return new PageError('account', 'Connect ' + short(req.signer) + ', the wallet linked to your Discord account. Your wallet is connected to ' + short(have) + ': switch accounts in your wallet, then try again.');
  }

  // guard checks, before each transaction, that the wallet did not change
  // account or network meanwhile.
  async function guard() {
    const accounts = await walletCall('the account check', 'eth_accounts');
    const have = Array.isArray(accounts) && accounts.length ? accounts[0] : null;
    if (!have) throw new PageError('account', 'Your wallet no longer shares an account with this page. Connect it again, then try again.');
    if (!sameAddr(have, req.signer)) throw wrongAccount(have);
    account = have;
    const chain = await chainId();
    if (chain !== req.chainId) throw wrongChain(chain, 'Your wallet changed networks. ');
  }

  // checkCalls refuses, on the page too, a request that hands out a
  // spending right other than a reserve's own deposit.
  function checkCalls(r) {
    r.calls.forEach((c, i) => {
      const data = c.data.toLowerCase();
      const sel = data.slice(0, 10);
      const unsafe = new PageError('unsafe', 'This request asks your wallet to hand out a spending right in ' + label(i) + ' that is not a deposit into a reserve. This page will not send it.', false);
      if (SEL_FORBIDDEN.includes(sel)) throw unsafe;
      if (sel !== SEL_APPROVE) return;
      const next = r.calls[i + 1];
      const spender = '0x' + data.slice(34, 74);
      const amount = data.slice(74, 138);
      if (data.length !== 138 || !next || !sameAddr(next.to, spender) || next.data.toLowerCase() !== SEL_DEPOSIT + amount) throw unsafe;
    });
  }

  function txParams(i) {
    const c = req.calls[i];
    return { from: account, to: c.to, data: c.data, value: '0x' + BigInt(c.value).toString(16) };
  }

  // report tells trustbot the hash of call i. A hash the node does not know
  // yet, or a chain that is briefly unreachable, is reported again.
  async function report(i, hash) {
    for (let attempt = 1; ; attempt++) {
      try {
        render(await api('POST', txURL, { index: i, hash }));
        return;
      } catch (e) {
        if (e.kind === 'unreachable' && attempt < 3) {
          await sleep(POLL_MS);
          continue;
        }
        if (e.kind !== 'server' || (e.status !== 409 && e.status !== 503)) throw e;
        const cur = await api('GET', jsonURL);
        render(cur);
        const t = txOf(cur, i);
        if (t && t.hash.toLowerCase() === hash.toLowerCase()) return;
        const end = overError(cur);
        if (end) throw end;
        if (t || attempt >= REPORT_TRIES) throw e;
        page.step('call-' + i, 'active', 'sent ', link(hash), ', waiting for the chain to know it…');
        await sleep(POLL_MS);
      }
    }
  }

  function reverted(i, hash) {
    return new PageError('reverted', ['The chain reverted ' + label(i) + ': it changed nothing. This request has failed; run the command again on Discord. ', link(hash)], false);
  }

  // waitMined waits for call i's transaction through the wallet's node; a
  // wallet that cannot look up receipts leaves it to trustbot's watcher.
  async function waitMined(i, hash) {
    page.step('call-' + i, 'active', 'sent ', link(hash), ', waiting for it to be mined…');
    for (;;) {
      let receipt;
      try {
        receipt = await call(provider, 'eth_getTransactionReceipt', [hash]);
      } catch (e) {
        return waitSettled(i, hash);
      }
      if (receipt) {
        const status = receipt.status;
        if (status === '0x0' || status === 0 || status === '0x00') {
          page.step('call-' + i, 'failed', 'reverted: ', link(hash));
          throw reverted(i, hash);
        }
        page.step('call-' + i, 'done', 'mined in block ' + parseInt(receipt.blockNumber, 16) + ': ', link(hash));
        return;
      }
      await sleep(RECEIPT_MS);
    }
  }

  async function waitSettled(i, hash) {
    for (;;) {
      const r = await api('GET', jsonURL);
      render(r);
      const t = txOf(r, i);
      if (t && t.status === 'confirmed') return;
      if (t && t.status === 'failed') throw reverted(i, hash);
      const end = overError(r);
      if (end) throw end;
      await sleep(POLL_MS);
    }
  }

  // waitFinal follows the request until the watcher confirms or fails it.
  async function waitFinal() {
    page.step('confirm', 'active', 'waiting for trustbot to see the transactions on the chain…');
    let misses = 0;
    for (;;) {
      let r;
      try {
        r = await api('GET', jsonURL);
        misses = 0;
      } catch (e) {
        if (e.kind === 'unreachable' && ++misses < 3) {
          await sleep(POLL_MS);
          continue;
        }
        throw e;
      }
      render(r);
      if (r.status === 'confirmed') {
        showConfirmed(false);
        return;
      }
      const end = overError(r);
      if (end) throw end;
      await sleep(POLL_MS);
    }
  }

  // run is the whole flow; it resumes where the request stands, so "Try
  // again" after any failure picks up at the first call not yet sent.
  async function run() {
    page.step('connect', 'active', 'asking your wallet…');
    render(await api('GET', jsonURL));
    if (req.status === 'confirmed') return showConfirmed(true);
    let end = overError(req);
    if (end) throw end;
    if (allSent(req)) return waitFinal();
    checkCalls(req);
    if (!provider) provider = await TB.findProvider(0);
    if (!provider) throw new PageError('nowallet', 'No Ethereum wallet was found in this browser.');

    const accounts = await walletCall('the connection', 'eth_requestAccounts');
    if (!Array.isArray(accounts) || accounts.length === 0) {
      throw new PageError('account', 'Your wallet shared no account with this page. Unlock it, then try again.');
    }
    account = accounts[0];
    page.step('connect', 'done', 'connected ' + short(account));
    await ensureChain();
    page.step('account', 'active', 'checking…');
    if (!sameAddr(account, req.signer)) throw wrongAccount(account);
    page.step('account', 'done', short(account));

    // The link may have expired or been cancelled while the wallet asked.
    render(await api('GET', jsonURL));
    end = overError(req);
    if (end) throw end;

    for (let i = 0; i < req.calls.length; i++) {
      const t = txOf(req, i);
      if (t) {
        if (t.status === 'failed') throw reverted(i, t.hash);
        if (t.status !== 'confirmed') await waitMined(i, t.hash);
        continue;
      }
      await guard();
      let hash = remembered(i);
      if (!hash) {
        // The chain may have changed since the link was made: trustbot runs the call again
        // first, and a call the chain would now refuse is never sent.
        page.step('call-' + i, 'active', 'checking it with trustbot…');
        render(await api('POST', checkURL, {}));
        end = overError(req);
        if (end) throw end;
        page.step('call-' + i, 'active', 'confirm it in your wallet…');
        hash = await walletCall(label(i), 'eth_sendTransaction', [txParams(i)]);
        if (!isHash(hash)) throw new PageError('wallet', 'Your wallet answered with something that is not a transaction hash.');
        remember(i, hash);
      }
      page.step('call-' + i, 'active', 'sent ', link(hash), ', telling trustbot…');
      await report(i, hash);
      forget(i);
      await waitMined(i, hash);
    }
    await waitFinal();
  }

  // fail shows what went wrong. A refusal of the server for a request that
  // is over shows the request's state instead.
  async function fail(e) {
    const pe = e instanceof PageError ? e : new PageError('error', 'Something went wrong on this page: ' + (e && e.message ? e.message : String(e)) + '.');
    if (pe.kind === 'server' && (pe.status === 409 || pe.status === 410)) {
      try {
        const r = await api('GET', jsonURL);
        render(r);
        if (r.status === 'confirmed') return showConfirmed(true);
        const end = overError(r);
        if (end) return showOver(end);
      } catch (e2) {
        // show the first error
      }
    }
    if (!pe.retry) {
      showOver(pe);
      if (pe.kind === 'reverted') follow();
      return;
    }
    page.failActive();
    page.show('error', pe.kind, pe.message, true);
    if (pe.kind === 'nowallet') showNoWallet();
  }

  // follow keeps the status current after the page stopped, until final.
  async function follow() {
    for (let i = 0; i < 120; i++) {
      await sleep(POLL_MS);
      try {
        const r = await api('GET', jsonURL);
        render(r);
        if (['confirmed', 'failed', 'expired', 'cancelled', 'stale'].includes(r.status)) {
          page.step('confirm', r.status === 'confirmed' ? 'done' : 'failed', r.status + (r.error ? ': ' + r.error : ''));
          return;
        }
      } catch (e) {
        // keep the last status shown
      }
    }
  }

  function showNoWallet() {
    page.button.hidden = true;
    noWallet.hidden = false;
    const how = req && req.eip681
      ? 'Scan the QR code below with the wallet on your phone, or open this page in a browser with a wallet extension.'
      : 'Open this page in a browser with a wallet extension, or in the browser built into your wallet app.';
    page.show('info', 'nowallet', 'No Ethereum wallet was found in this browser. ' + how, true);
  }

  async function start() {
    if (busy || over) return;
    busy = true;
    page.hideNotice();
    page.resetSteps();
    page.button.hidden = true;
    try {
      await run();
    } catch (e) {
      await fail(e);
    } finally {
      busy = false;
    }
  }

  // init shows the request and looks for a wallet; with none, the QR code.
  async function init() {
    if (busy || over) return;
    busy = true;
    page.hideNotice();
    page.button.hidden = false;
    page.button.disabled = true;
    page.button.textContent = 'Looking for a wallet…';
    try {
      render(await api('GET', jsonURL));
      if (req.status === 'confirmed') return showConfirmed(true);
      const end = overError(req);
      if (end) return showOver(end);
      if (allSent(req)) {
        page.button.hidden = true;
        await waitFinal();
        return;
      }
      provider = await TB.findProvider(800);
      if (!provider) return showNoWallet();
      noWallet.hidden = true;
      page.button.disabled = false;
      page.button.textContent = req.txs.length > 0 ? 'Connect wallet and continue' : 'Connect wallet and sign';
    } catch (e) {
      page.button.hidden = true;
      await fail(e);
    } finally {
      busy = false;
    }
  }

  async function reportByHand(ev) {
    ev.preventDefault();
    if (busy || over || !req) return;
    const hash = hashInput.value.trim();
    if (!isHash(hash)) {
      page.show('error', 'hash', 'A transaction hash is 0x followed by 64 hex digits.', false);
      return;
    }
    busy = true;
    page.hideNotice();
    try {
      const i = req.txs.length;
      page.step('call-' + i, 'active', 'reported ', link(hash), ', checking it…');
      await report(i, hash);
      hashInput.value = '';
      page.step('call-' + i, 'done', 'reported: ', link(hash));
      if (allSent(req)) {
        noWallet.hidden = true;
        await waitFinal();
      } else {
        page.show('info', 'reported', 'Transaction ' + (i + 1) + ' is reported. Send transaction ' + (i + 2) + ' once it is mined, then report it too.', false);
      }
    } catch (e) {
      await fail(e);
    } finally {
      busy = false;
    }
  }

  // idle refreshes the status while nobody signs: a cancellation or the
  // expiry shows without a click.
  async function idle() {
    if (busy || over) return;
    try {
      const r = await api('GET', jsonURL);
      if (busy || over) return;
      render(r);
      if (r.status === 'confirmed') return showConfirmed(true);
      const end = overError(r);
      if (end) showOver(end);
    } catch (e) {
      // the next click says what is wrong
    }
  }

  page.button.addEventListener('click', start);
  page.retry.addEventListener('click', () => (page.notice.dataset.state === 'nowallet' || !req ? init() : start()));
  if (reportForm) reportForm.addEventListener('submit', reportByHand);
  setInterval(tick, 1000);
  setInterval(idle, IDLE_MS);
  init();
})();
