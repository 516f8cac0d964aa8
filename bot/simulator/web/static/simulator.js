// The web simulator: choose a shop and a number, chat through the real pipeline.
// One long poll per open chat brings the bot's messages and the ticks of what you wrote.
import { botMessage, el, statusDetail, ticks, writtenMessage } from './render.js';

const $ = (id) => document.getElementById(id);
const ui = {
  shop: $('shop'), phone: $('phone'), staff: $('staff'), merchant: $('merchant'),
  merchantHint: $('merchant-hint'), newShopper: $('new-shopper'), showJson: $('show-json'),
  settings: $('settings'), name: $('shop-name'), line: $('shop-line'), avatar: $('avatar'),
  offline: $('offline'), messages: $('messages'), composer: $('composer'), text: $('text'),
  photo: $('photo'), attachPhoto: $('attach-photo'), attachPlace: $('attach-place'),
  sheet: $('sheet'), sheetTitle: $('sheet-title'), sheetBody: $('sheet-body'), sheetSend: $('sheet-send'),
  place: $('place'),
};
const POLL_SECONDS = 25;
const MAX_IMAGE = 5 * 1024 * 1024; // WhatsApp's limit for photos
const RANK = { pending: 0, failed: 1, delivered: 1, read: 2 };
const saved = window.localStorage;

let shops = [];
let chat = null; // { shop, phone, cursor, state, abort, seen:Set, unread:Set }

function pretty(number) {
  const d = String(number || '');
  if (d.startsWith('27') && d.length === 11) return `+27 ${d.slice(2, 4)} ${d.slice(4, 7)} ${d.slice(7)}`;
  return d ? `+${d}` : '';
}

function initials(name) {
  return name.split(/\s+/).filter((w) => /\p{L}/u.test(w)).slice(0, 2).map((w) => w[0].toUpperCase()).join('');
}

function randomShopper() {
  const digits = crypto.getRandomValues(new Uint32Array(1))[0] % 1e7;
  return `2782${String(digits).padStart(7, '0')}`;
}

function newWamid() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `wamid.SIM${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

const currentShop = () => shops.find((s) => s.phone_number_id === ui.shop.value);
const writer = () => (ui.merchant.checked ? ui.staff.value : ui.phone.value.trim());

// --- the chat -------------------------------------------------------------------------------

const actions = {
  find: (id) => ui.messages.querySelector(`[data-id="${CSS.escape(id)}"]`),
  mediaUrl: (id) => `/_simulator/api/media/${encodeURIComponent(id || '')}`,
  button: (id, title, wamid) => write('button', { reply_id: id, title }, { title }, wamid),
  templateButton: (payload, title, wamid) => write('template_button', { payload, title }, { title }, wamid),
  list: (action, wamid) => openList(action, wamid),
  products: (it, action) => openProducts(it, action),
  react: (messageId, emoji) => react(messageId, emoji),
};

// Follow the newest message while the user is at the bottom (also when a picture loads
// later and grows its bubble); leave the scroll alone when they scrolled up to read.
let following = true;
const toBottom = () => { ui.messages.scrollTop = ui.messages.scrollHeight; };

function insertByTime(li) {
  const at = Number(li.dataset.at);
  let before = null;
  for (let node = ui.messages.lastElementChild; node; node = node.previousElementSibling) {
    if (Number(node.dataset.at) <= at) break;
    before = node;
  }
  ui.messages.insertBefore(li, before);
  if (li.classList.contains('out')) following = true;
  li.querySelectorAll('img').forEach((img) => img.addEventListener('load', () => { if (following) toBottom(); }));
  if (following) toBottom();
}

function react(messageId, emoji) {
  const target = actions.find(messageId);
  if (!target) return;
  target.querySelector(':scope > .reaction')?.remove();
  if (!emoji) return;
  const badge = el('span', 'reaction', emoji);
  badge.setAttribute('aria-label', `Reaction ${emoji}`);
  target.append(badge);
}

function addBot(record) {
  if (ui.messages.querySelector(`[data-seq="${record.seq}"]`) || chat.seen.has(record.seq)) return;
  chat.seen.add(record.seq);
  const li = botMessage(record, actions);
  if (li) insertByTime(li);
  chat.unread.add(record.wamid);
}

function upsertWritten(written) {
  const existing = actions.find(written.id);
  if (!existing) {
    insertByTime(writtenMessage(written, actions));
    return;
  }
  const old = existing.querySelector('.ticks');
  if (old && RANK[written.status] >= RANK[old.dataset.status] && written.status !== old.dataset.status) {
    old.replaceWith(ticks(written.status, statusDetail(written)));
  }
}

async function markRead() {
  if (!chat || !chat.unread.size || document.visibilityState !== 'visible') return;
  const ids = [...chat.unread].slice(0, 100);
  ids.forEach((id) => chat.unread.delete(id));
  try {
    await fetch('/_simulator/api/read', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ids }),
    });
  } catch {
    ids.forEach((id) => chat.unread.add(id)); // try again with the next batch
  }
}

async function poll(current) {
  while (chat === current) {
    const query = new URLSearchParams({
      shop: current.shop, phone: current.phone, after: current.cursor, state: current.state, wait: POLL_SECONDS,
    });
    try {
      const response = await fetch(`/_simulator/api/chat?${query}`, { signal: current.abort.signal });
      if (!response.ok) throw new Error(`simulator answered ${response.status}`);
      const data = await response.json();
      if (chat !== current) return;
      ui.offline.hidden = true;
      data.written.forEach(upsertWritten); // first: bot reactions and quotes point at these
      data.messages.forEach(addBot);
      current.cursor = data.cursor;
      current.state = data.state;
      markRead();
    } catch (error) {
      if (current.abort.signal.aborted) return;
      console.error('simulator poll failed:', error);
      ui.offline.hidden = false;
      await new Promise((resolve) => { setTimeout(resolve, 2000); }); // then reconnect
    }
  }
}

function openChat() {
  if (chat) chat.abort.abort();
  chat = null;
  ui.messages.replaceChildren();
  const shop = currentShop();
  const phone = writer();
  ui.name.textContent = shop ? shop.name : 'No shop';
  ui.avatar.textContent = shop ? initials(shop.name) : '';
  const role = ui.merchant.checked ? 'staff' : 'shopper';
  ui.line.textContent = shop
    ? `${pretty(shop.display_phone_number) || shop.phone_number_id} · you: ${pretty(phone)} (${role})`
    : 'No shop to chat with: is the demo seeded?';
  if (!shop || !/^[0-9]{6,15}$/.test(phone)) return;
  chat = { shop: shop.phone_number_id, phone, cursor: 0, state: '', abort: new AbortController(), seen: new Set(), unread: new Set() };
  poll(chat);
}

async function write(kind, fields, content, context) {
  const current = chat;
  if (!current) return;
  const id = newWamid();
  const name = ui.merchant.checked ? 'Staff' : 'Shopper';
  upsertWritten({ id, at: Date.now() / 1000, kind, content, context, status: 'pending' });
  let result;
  try {
    const response = await fetch('/_simulator/api/send', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ shop: current.shop, phone: current.phone, name, id, context, kind, ...fields }),
    });
    result = response.ok
      ? await response.json()
      : { id, status: 'failed', error: `The simulator refused it: ${await response.text()}` };
  } catch {
    result = { id, status: 'failed', error: 'The simulator did not answer' };
  }
  if (chat === current) upsertWritten(result);
}

// --- sheets ---------------------------------------------------------------------------------

function option(type, name, value, title, description) {
  const label = el('label', 'option');
  const what = el('span', 'what');
  what.append(el('span', 'title', title));
  if (description) what.append(el('span', 'desc', description));
  label.append(what);
  if (type) {
    const input = el('input');
    Object.assign(input, { type, name, value });
    input.dataset.title = title;
    input.dataset.description = description || '';
    label.append(input);
  }
  return label;
}

function showSheet(title, groups, onSend) {
  ui.sheetTitle.textContent = title;
  ui.sheetBody.replaceChildren(...groups);
  ui.sheetSend.hidden = !onSend;
  ui.sheetSend.disabled = true;
  ui.sheet.returnValue = '';
  ui.sheet.onclose = () => {
    const chosen = ui.sheetBody.querySelector('input:checked');
    if (onSend && ui.sheet.returnValue === 'send' && chosen) onSend(chosen);
  };
  ui.sheet.showModal();
}

function openList(action, wamid) {
  const groups = (action.sections || []).map((section) => {
    const set = el('fieldset');
    if (section.title) set.append(el('legend', null, section.title));
    for (const r of section.rows || []) set.append(option('radio', 'row', r.id, r.title, r.description));
    return set;
  });
  showSheet(action.button || 'Menu', groups, (chosen) => {
    const { title, description } = chosen.dataset;
    write('list', { reply_id: chosen.value, title, description }, { title, description }, wamid);
  });
}

function openProducts(it, action) {
  const sections = action.sections || [{ product_items: [{ product_retailer_id: action.product_retailer_id }] }];
  const groups = sections.map((section) => {
    const set = el('fieldset');
    if (section.title) set.append(el('legend', null, section.title));
    for (const item of section.product_items || []) set.append(option(null, '', '', item.product_retailer_id, 'Product in the shop\'s catalogue'));
    return set;
  });
  showSheet((it.header && it.header.text) || 'Products', groups, null);
}

// --- controls -------------------------------------------------------------------------------

function fillStaff() {
  const shop = currentShop();
  const staff = shop ? shop.staff : [];
  ui.staff.replaceChildren(...staff.map((n) => Object.assign(el('option', null, pretty(n)), { value: n })));
  ui.merchant.disabled = !staff.length;
  ui.merchantHint.hidden = staff.length > 0;
  if (!staff.length) ui.merchant.checked = false;
  ui.staff.hidden = !ui.merchant.checked;
  ui.phone.hidden = ui.merchant.checked;
  ui.newShopper.hidden = ui.merchant.checked;
  $('phone-hint').hidden = ui.merchant.checked;
  $('phone-label').textContent = ui.merchant.checked ? 'Staff number' : 'Your WhatsApp number';
  $('phone-label').htmlFor = ui.merchant.checked ? 'staff' : 'phone';
}

function settingsChanged() {
  fillStaff();
  saved.setItem('wakala.shop', ui.shop.value);
  saved.setItem('wakala.merchant', ui.merchant.checked ? '1' : '');
  openChat();
}

async function loadShops() {
  try {
    const response = await fetch('/_simulator/api/shops');
    shops = (await response.json()).shops;
  } catch {
    ui.line.textContent = 'The simulator did not answer: is `wakala run` running?';
    return;
  }
  ui.shop.replaceChildren(...shops.map((s) => Object.assign(
    el('option', null, `${s.name} · ${pretty(s.display_phone_number) || s.phone_number_id}`),
    { value: s.phone_number_id },
  )));
  const wanted = saved.getItem('wakala.shop');
  if (shops.some((s) => s.phone_number_id === wanted)) ui.shop.value = wanted;
  ui.merchant.checked = Boolean(saved.getItem('wakala.merchant'));
  settingsChanged();
}

function sendText(event) {
  event.preventDefault();
  const text = ui.text.value.trim();
  if (!text) return;
  ui.text.value = '';
  grow();
  write('text', { text }, { text });
}

function grow() {
  ui.text.style.height = 'auto';
  ui.text.style.height = `${ui.text.scrollHeight}px`;
}

function sendPhoto() {
  const file = ui.photo.files[0];
  ui.photo.value = '';
  if (!file) return;
  if (!['image/jpeg', 'image/png'].includes(file.type) || file.size > MAX_IMAGE) {
    window.alert('WhatsApp takes JPEG or PNG photos of at most 5 MB.');
    return;
  }
  const caption = ui.text.value.trim();
  ui.text.value = '';
  const reader = new FileReader();
  reader.onload = () => {
    const data = String(reader.result).split(',', 2)[1];
    write('image', { mime_type: file.type, data, caption }, { preview: URL.createObjectURL(file), caption });
  };
  reader.readAsDataURL(file);
}

function sharePlace() {
  ui.place.returnValue = '';
  ui.place.onclose = () => {
    if (ui.place.returnValue !== 'send') return;
    const latitude = Number($('place-lat').value);
    const longitude = Number($('place-lon').value);
    const place = $('place-name').value.trim();
    const address = $('place-address').value.trim();
    write('location', { latitude, longitude, place, address }, { latitude, longitude, name: place, address });
  };
  ui.place.showModal();
}

function wire() {
  ui.shop.addEventListener('change', settingsChanged);
  ui.merchant.addEventListener('change', settingsChanged);
  ui.staff.addEventListener('change', openChat);
  ui.phone.addEventListener('change', () => {
    const valid = /^[0-9]{6,15}$/.test(ui.phone.value.trim());
    ui.phone.setCustomValidity(valid ? '' : 'Digits with the country code, e.g. 27825550001');
    if (!valid) { ui.phone.reportValidity(); return; }
    saved.setItem('wakala.phone', ui.phone.value.trim());
    openChat();
  });
  ui.newShopper.addEventListener('click', () => {
    ui.phone.value = randomShopper();
    ui.phone.dispatchEvent(new Event('change'));
  });
  ui.showJson.addEventListener('change', () => {
    document.body.classList.toggle('show-json', ui.showJson.checked);
    saved.setItem('wakala.json', ui.showJson.checked ? '1' : '');
  });
  ui.composer.addEventListener('submit', sendText);
  ui.text.addEventListener('input', grow);
  ui.text.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      ui.composer.requestSubmit();
    }
  });
  ui.attachPhoto.addEventListener('click', () => ui.photo.click());
  ui.photo.addEventListener('change', sendPhoto);
  ui.attachPlace.addEventListener('click', sharePlace);
  ui.sheetBody.addEventListener('change', () => { ui.sheetSend.disabled = false; });
  document.addEventListener('visibilitychange', markRead);
  ui.messages.addEventListener('scroll', () => {
    following = ui.messages.scrollHeight - ui.messages.scrollTop - ui.messages.clientHeight < 80;
  });
}

ui.phone.value = saved.getItem('wakala.phone') || randomShopper();
saved.setItem('wakala.phone', ui.phone.value);
ui.showJson.checked = Boolean(saved.getItem('wakala.json'));
document.body.classList.toggle('show-json', ui.showJson.checked);
ui.settings.open = window.matchMedia('(min-width: 800px)').matches;
wire();
loadShops();
