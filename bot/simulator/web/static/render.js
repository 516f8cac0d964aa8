// Chat bubbles from Graph API bodies (what the bot sent) and from what the shopper wrote.
// Everything is built with DOM calls and textContent: bot text is never parsed as HTML.

const TICK = '<path d="M4.4 8.6 1.5 5.8l-.9.9 3.8 3.7L11.6 3l-.9-.9z"/>';
const TICKS = {
  pending: ['Sending', '<path d="M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1Zm0 12.6A5.6 5.6 0 1 1 8 2.4a5.6 5.6 0 0 1 0 11.2ZM8.7 4H7.5v4.5l3.8 2.3.6-1-3.2-1.9Z"/>'],
  delivered: ['Delivered', TICK + '<path d="m9.3 8.6-1-1-.9.9 1.9 1.9L16.5 3l-.9-.9z"/>'],
  read: ['Read', TICK + '<path d="m9.3 8.6-1-1-.9.9 1.9 1.9L16.5 3l-.9-.9z"/>'],
  failed: ['Not delivered', '<path d="M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1Zm.8 11H7.2v-1.6h1.6Zm0-3H7.2V4h1.6Z"/>'],
};

// Icons drawn here, not emoji: a machine without a colour-emoji font would show boxes.
const ICONS = {
  pin: '<path d="M12 2a7 7 0 0 0-7 7c0 5.2 7 13 7 13s7-7.8 7-13a7 7 0 0 0-7-7Zm0 9.5A2.5 2.5 0 1 1 12 6.5a2.5 2.5 0 0 1 0 5Z"/>',
  bag: '<path d="M18 6h-2a4 4 0 0 0-8 0H6a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8a2 2 0 0 0-2-2Zm-6-2a2 2 0 0 1 2 2h-4a2 2 0 0 1 2-2Zm6 16H6V8h2v2h2V8h4v2h2V8h2Z"/>',
  doc: '<path d="M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8Zm4 18H6V4h7v5h5Z"/>',
};

function icon(name) {
  const span = el('span', `icon-${name} glyph`);
  span.setAttribute('aria-hidden', 'true');
  span.innerHTML = `<svg viewBox="0 0 24 24" fill="currentColor">${ICONS[name]}</svg>`;
  return span;
}

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

export function clock(at) {
  return new Date(at * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export function ticks(status, detail) {
  const [label, paths] = TICKS[status] || TICKS.pending;
  const span = el('span', 'ticks');
  span.dataset.status = status;
  span.setAttribute('role', 'img');
  span.setAttribute('aria-label', label);
  if (detail) span.title = detail;
  span.innerHTML = `<svg viewBox="0 0 17 12" fill="currentColor" aria-hidden="true">${paths}</svg>`;
  return span;
}

// WhatsApp's markup: *bold*, _italic_, ~strike~, ```mono```.
const MARKUP = /(\*[^*\n]+\*|_[^_\n]+_|~[^~\n]+~|```[\s\S]+?```)/g;
const TAGS = { '*': 'strong', _: 'em', '~': 's', '`': 'code' };

export function formatted(text) {
  const node = el('div', 'text');
  for (const piece of String(text).split(MARKUP)) {
    if (!piece) continue;
    const mark = piece[0];
    const fence = mark === '`' ? 3 : 1;
    if (piece.match(MARKUP) && piece.length > 2 * fence && piece.endsWith(mark)) {
      node.append(el(TAGS[mark], null, piece.slice(fence, -fence)));
    } else {
      node.append(document.createTextNode(piece));
    }
  }
  return node;
}

function meta(at) {
  const span = el('span', 'meta');
  span.append(el('time', null, clock(at)));
  return span;
}

function row(direction, id, at) {
  const li = el('li', `msg ${direction}`);
  li.dataset.id = id;
  li.dataset.at = String(at);
  return li;
}

function media(kind, content, mediaUrl) {
  const src = content.link || mediaUrl(content.id);
  if (kind === 'image' || kind === 'sticker') {
    const img = el('img', `media ${kind}`);
    img.src = src;
    img.alt = content.caption || (kind === 'sticker' ? 'Sticker' : 'Image');
    return img;
  }
  if (kind === 'audio' || kind === 'video') {
    const player = el(kind, 'media');
    player.controls = true;
    player.src = src;
    return player;
  }
  const link = el('a', 'card doc');
  link.append(icon('doc'), document.createTextNode(content.filename || 'Document'));
  link.href = src;
  link.download = content.filename || '';
  return link;
}

function quote(contextId, find) {
  const target = contextId && find(contextId);
  if (!target) return null;
  const text = target.querySelector('.text, .head, .caption');
  return el('div', 'quote', text ? text.textContent : '…');
}

function interactive(bubble, body, actions, wamid) {
  const it = body.interactive || {};
  const header = it.header || {};
  if (header.type === 'text') bubble.append(el('div', 'head', header.text));
  else if (header.type) bubble.append(media(header.type, header[header.type] || {}, actions.mediaUrl));
  const action = it.action || {};
  if (it.type === 'product' || it.type === 'product_list') bubble.append(productCard(it, action));
  if (it.body && it.body.text) bubble.append(formatted(it.body.text));
  if (it.footer && it.footer.text) bubble.append(el('div', 'foot', it.footer.text));
  const replies = el('div', 'replies');
  if (it.type === 'button') {
    for (const button of action.buttons || []) {
      const { id, title } = button.reply || {};
      const tap = el('button', null, title);
      tap.type = 'button';
      tap.addEventListener('click', () => actions.button(id, title, wamid));
      replies.append(tap);
    }
  } else if (it.type === 'list') {
    const open = el('button', 'list-open', `☰ ${action.button || 'Menu'}`);
    open.type = 'button';
    open.addEventListener('click', () => actions.list(action, wamid));
    replies.append(open);
  } else if (it.type === 'product' || it.type === 'product_list') {
    const view = el('button', null, it.type === 'product' ? 'View' : 'View items');
    view.type = 'button';
    view.addEventListener('click', () => actions.products(it, action));
    replies.append(view);
  } else if (it.type !== undefined) {
    bubble.append(el('div', 'foot', `(${it.type} messages are not drawn by the simulator)`));
  }
  return replies.childElementCount ? replies : null;
}

function productCard(it, action) {
  const card = el('div', 'card product');
  card.append(el('span', 'tag', it.type === 'product' ? 'Product' : 'Products'));
  if (it.type === 'product') {
    const sku = el('div', 'sku');
    sku.append(icon('bag'), document.createTextNode(action.product_retailer_id));
    card.append(sku);
    return card;
  }
  for (const section of action.sections || []) {
    if (section.title) card.append(el('div', 'head', section.title));
    const list = el('ul');
    for (const item of section.product_items || []) list.append(el('li', 'sku', item.product_retailer_id));
    card.append(list);
  }
  return card;
}

function template(bubble, body, actions, wamid) {
  const t = body.template || {};
  bubble.append(el('span', 'tag', `Template · ${t.name} · ${(t.language || {}).code || ''}`));
  const replies = el('div', 'replies');
  for (const component of t.components || []) {
    const values = (component.parameters || []).map((p) => p.text ?? p.payload ?? p.type);
    if (component.type === 'header') bubble.append(el('div', 'head', values.join(' · ')));
    else if (component.type === 'body') bubble.append(formatted(values.join(' · ')));
    else if (component.type === 'button') {
      const payload = values[0] || '';
      const tap = el('button', null, `Quick reply ${Number(component.index) + 1}`);
      tap.type = 'button';
      tap.title = payload;
      tap.addEventListener('click', () => actions.templateButton(payload, tap.textContent, wamid));
      replies.append(tap);
    }
  }
  return replies.childElementCount ? replies : null;
}

// One bubble (with its reply buttons) for a body the bot sent; a reaction returns null after
// attaching itself to the message it reacts to.
export function botMessage(record, actions) {
  const body = record.body;
  if (body.type === 'reaction') {
    actions.react(body.reaction.message_id, body.reaction.emoji);
    return null;
  }
  const li = row('in', record.wamid, record.at);
  li.dataset.seq = String(record.seq);
  li.dataset.type = body.type === 'interactive' ? body.interactive.type : body.type;
  const bubble = el('div', 'bubble');
  const quoted = quote(body.context && body.context.message_id, actions.find);
  if (quoted) bubble.append(quoted);
  let replies = null;
  const content = body[body.type] || {};
  switch (body.type) {
    case 'text':
      bubble.append(formatted(content.body));
      break;
    case 'interactive':
      replies = interactive(bubble, body, actions, record.wamid);
      break;
    case 'template':
      replies = template(bubble, body, actions, record.wamid);
      break;
    case 'image': case 'video': case 'audio': case 'document': case 'sticker':
      bubble.append(media(body.type, content, actions.mediaUrl));
      if (content.caption) bubble.append(formatted(content.caption));
      break;
    case 'location':
      bubble.append(place(content));
      break;
    default:
      bubble.append(el('div', 'foot', `(${body.type} messages are not drawn by the simulator)`));
  }
  bubble.append(meta(record.at));
  const json = el('details', 'json');
  json.append(el('summary', null, 'JSON'), el('pre', null, JSON.stringify(body, null, 2)));
  bubble.append(json);
  li.append(bubble);
  if (replies) li.append(replies);
  return li;
}

function place(content) {
  const box = el('div', 'place');
  box.append(icon('pin'));
  const what = el('div');
  what.append(el('div', 'head', content.name || 'Location'));
  if (content.address) what.append(el('div', 'text', content.address));
  what.append(el('div', 'foot', `${content.latitude}, ${content.longitude}`));
  box.append(what);
  return box;
}

// The shopper's own bubble; `written` is what the simulator returned for it.
export function writtenMessage(written, actions) {
  const li = row('out', written.id, written.at);
  li.dataset.kind = written.kind;
  const bubble = el('div', 'bubble');
  const c = written.content || {};
  const quoted = quote(written.context, actions.find);
  if (quoted) bubble.append(quoted);
  switch (written.kind) {
    case 'text':
      bubble.append(formatted(c.text));
      break;
    case 'list': {
      bubble.append(formatted(c.title));
      if (c.description) bubble.append(el('div', 'foot', c.description));
      break;
    }
    case 'location':
      bubble.append(place(c));
      break;
    case 'image': {
      const img = el('img', 'media');
      img.src = c.preview || actions.mediaUrl(c.media_id);
      img.alt = c.caption || 'Photo';
      bubble.append(img);
      if (c.caption) bubble.append(formatted(c.caption));
      break;
    }
    default: // button and template taps show the title tapped
      bubble.append(formatted(c.title));
  }
  const stamp = meta(written.at);
  stamp.append(ticks(written.status, statusDetail(written)));
  bubble.append(stamp);
  li.append(bubble);
  return li;
}

export function statusDetail(written) {
  if (written.status === 'failed') {
    return written.error || `The gateway answered ${written.gateway_status}: the bot never got this`;
  }
  return '';
}
