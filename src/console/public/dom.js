// @ts-check
/** The page's small DOM helpers: elements, toasts, the confirm and prompt dialogs, a tone. */

/** @param {string} id */
export const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
/** @param {string} id */
export const button = (id) => /** @type {HTMLButtonElement} */ (document.getElementById(id));

/**
 * @param {string} tag
 * @param {Record<string, string>} [attrs]
 * @param {Array<Node | string>} [children]
 */
export function h(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

/** @param {string} text @param {'info' | 'error'} [kind] */
export function toast(text, kind = 'info') {
  const node = h('div', { class: `toast ${kind}`, 'data-testid': 'toast' }, [text]);
  $('toasts').append(node);
  setTimeout(() => node.remove(), kind === 'error' ? 6000 : 4000);
}

/** Asks a yes/no question in a page dialog. @param {string} text @returns {Promise<boolean>} */
export function confirmAsk(text) {
  const dialog = /** @type {HTMLDialogElement} */ ($('confirm'));
  $('confirm-text').textContent = text;
  dialog.showModal();
  $('confirm-yes').focus();
  return new Promise((resolve) => {
    const done = (/** @type {boolean} */ yes) => {
      dialog.close();
      $('confirm-yes').onclick = null;
      $('confirm-no').onclick = null;
      resolve(yes);
    };
    $('confirm-yes').onclick = () => done(true);
    $('confirm-no').onclick = () => done(false);
    dialog.oncancel = () => done(false);
  });
}

/** Asks for a short text in a page dialog. @param {string} text @returns {Promise<string | null>} */
export function promptAsk(text) {
  const dialog = /** @type {HTMLDialogElement} */ ($('prompt'));
  const input = /** @type {HTMLInputElement} */ ($('prompt-input'));
  $('prompt-text').textContent = text;
  input.value = '';
  dialog.showModal();
  input.focus();
  return new Promise((resolve) => {
    const form = /** @type {HTMLFormElement} */ ($('prompt-form'));
    const done = (/** @type {string | null} */ v) => {
      dialog.close();
      form.onsubmit = null;
      resolve(v);
    };
    form.onsubmit = (ev) => {
      ev.preventDefault();
      done(input.value.trim() || null);
    };
    $('prompt-no').onclick = () => done(null);
    dialog.oncancel = () => done(null);
  });
}

/** A short, quiet tone (Web Audio: no sound file to load). */
export function beep() {
  try {
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    gain.gain.value = 0.05;
    osc.frequency.value = 880;
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.15);
    osc.onended = () => void ctx.close();
  } catch {
    // No audio here (autoplay policy, no device): the mark and the title still say it.
  }
}
