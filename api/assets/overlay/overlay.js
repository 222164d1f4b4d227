// The overlay page: reads the streamer's leaderboard, goals, tips and theme from the API beside
// it, then keeps them current from the streamer's event stream. Every path is relative to the
// page's own (`…/{streamer}/overlay` reads `…/{streamer}/api/…`), so it works behind a prefix.
// Text from the API only ever reaches the page through textContent.
(function () {
  'use strict';

  var root = document.documentElement;
  var params = new URLSearchParams(location.search);
  var base = location.pathname.replace(/\/overlay\/?$/, '/');
  var BOARD_LIMIT = 10;
  var TICKER_MAX = 5;
  var TIP_MS = wholeNumber(params.get('tip_seconds'), 3, 600, 8) * 1000;
  var RETRY_MS = 3000;
  // Every type the stream sends (datastore::EVENT_TYPES): named events reach only listeners
  // registered for their name.
  var EVENT_TYPES = [
    'points_changed', 'drop_recorded', 'powerup_purchased', 'powerup_added', 'powerup_used',
    'powerup_changed', 'goal_changed', 'tip_changed', 'setting_changed', 'layout_changed',
    'theme_changed', 'viewer_changed', 'viewer_removed', 'alert', 'speech_queued',
    'live_changed', 'reset'
  ];
  var POWERUPS = {
    tnt: ['a TNT', 'TNTs'],
    powerdrop: ['a power drop', 'power drops'],
    shield: ['a shield', 'shields'],
    magnet: ['a magnet', 'magnets'],
    ghost: ['a ghost', 'ghosts'],
    boost: ['a speed boost', 'speed boosts']
  };

  var state = {
    board: [],
    goals: [],
    tips: [],
    tip: -1,
    lastId: 0
  };
  var timers = {};
  var numbers = new Intl.NumberFormat('en-US');

  function byId(id) {
    return document.getElementById(id);
  }

  function wholeNumber(text, min, max, fallback) {
    var n = Number(text);
    return Number.isInteger(n) && n >= min && n <= max ? n : fallback;
  }

  function text(value, fallback) {
    return typeof value === 'string' ? value : fallback;
  }

  function count(value) {
    return typeof value === 'number' && isFinite(value) ? value : 0;
  }

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  // `list`'s children become `rows` (replaceChildren, for the older Chromium of older OBS).
  function replaceRows(list, rows) {
    while (list.firstChild) list.removeChild(list.firstChild);
    rows.forEach(function (row) { list.appendChild(row); });
  }

  // Runs `fn` once, `ms` after the last call with the same key.
  function debounce(key, fn, ms) {
    clearTimeout(timers[key]);
    timers[key] = setTimeout(function () {
      delete timers[key];
      fn();
    }, ms);
  }

  function getJson(path) {
    return fetch(base + 'api/' + path, {
      headers: { accept: 'application/json' },
      cache: 'no-store',
      credentials: 'omit'
    }).then(function (r) {
      if (!r.ok) throw new Error(path + ' answered ' + r.status);
      return r.json();
    });
  }

  // Reads one part and applies it, trying again a little later until a read succeeds. Only the
  // newest read of a part is applied; the events of that part that arrive while it is under
  // way are applied again after it (they carry whole values, so applying one twice is
  // harmless), so a read that left the server before a change cannot undo the change.
  var generations = {};
  var replays = {};

  function load(key, path, apply) {
    var mine = (generations[key] || 0) + 1;
    generations[key] = mine;
    replays[key] = [];
    return new Promise(function (resolve) {
      (function attempt() {
        if (generations[key] !== mine) return resolve();
        getJson(path).then(function (value) {
          if (generations[key] === mine) {
            var again = replays[key];
            delete replays[key];
            apply(value);
            again.forEach(function (fn) { fn(); });
          }
          resolve();
        }, function (e) {
          console.warn('overlay:', e.message);
          setTimeout(attempt, RETRY_MS);
        });
      })();
    });
  }

  // Applies an event's change to part `key` now, and again after a read of it under way.
  function change(key, fn) {
    if (replays[key]) replays[key].push(fn);
    fn();
  }

  // ---- theme ------------------------------------------------------------------------------

  var COLOR = /^(#[0-9a-f]{3,8}|(rgb|rgba|hsl|hsla)\([0-9.,%\s/a-z]{1,60}\)|[a-z]{3,20})$/i;
  var LENGTH = /^(0|[0-9]{1,3}(\.[0-9]{1,4})?(px|rem|em|%))$/;

  function setVar(name, value, pattern) {
    if (typeof value === 'string' && pattern.test(value.trim())) {
      root.style.setProperty(name, value.trim());
    } else {
      root.style.removeProperty(name);
    }
  }

  function applyTheme(doc) {
    var t = doc && typeof doc === 'object' ? doc : {};
    var modeDoc = params.get('mode') === 'light' ? t.lightMode : t.darkMode;
    var mode = modeDoc && typeof modeDoc === 'object' ? modeDoc : {};
    setVar('--brand', t.brandColor, COLOR);
    setVar('--brand-fg', t.brandColorForeground, COLOR);
    setVar('--bg', mode.background, COLOR);
    setVar('--fg', mode.foreground, COLOR);
    setVar('--card', mode.card, COLOR);
    setVar('--muted', mode.muted, COLOR);
    setVar('--muted-fg', mode.mutedForeground, COLOR);
    setVar('--border', mode.border, COLOR);
    setVar('--radius', t.borderRadius, LENGTH);
    setVar('--chroma', t.chromaKeyColor, COLOR);
    byId('site-name').textContent = text(t.siteName, '');
    byId('site-accent').textContent = text(t.siteNameAccent, '');
  }

  // ---- leaderboard ------------------------------------------------------------------------

  function ahead(a, b) {
    return a.total > b.total || (a.total === b.total && a.id < b.id);
  }

  function sortBoard() {
    state.board.sort(function (a, b) { return ahead(a, b) ? -1 : ahead(b, a) ? 1 : 0; });
    if (state.board.length > BOARD_LIMIT) state.board.length = BOARD_LIMIT;
  }

  function renderBoard(bumped) {
    var list = byId('leaderboard');
    var rows = state.board.map(function (e, i) {
      var li = el('li', e.id === bumped ? 'bumped' : '');
      li.dataset.userId = String(e.id);
      li.dataset.total = String(e.total);
      li.appendChild(el('span', 'rank', String(i + 1)));
      li.appendChild(el('span', 'name', e.name));
      li.appendChild(el('span', 'points', numbers.format(e.total)));
      return li;
    });
    replaceRows(list, rows);
    byId('board-empty').hidden = rows.length > 0;
    if (bumped !== undefined) {
      debounce('unbump', function () {
        var row = list.querySelector('li.bumped');
        if (row) row.classList.remove('bumped');
      }, 1500);
    }
  }

  function loadBoard() {
    return load('board', 'leaderboard?limit=' + BOARD_LIMIT, function (rows) {
      state.board = (Array.isArray(rows) ? rows : []).map(function (r) {
        return { id: r.user_id, name: text(r.username, ''), total: count(r.total_points) };
      });
      sortBoard();
      renderBoard();
    });
  }

  function refetchBoardSoon() {
    debounce('board', loadBoard, 250);
  }

  // A viewer's balances after a change. The board holds the top BOARD_LIMIT viewers with a
  // positive total; while it holds fewer, it holds them all. Whatever the balances alone
  // cannot settle (a viewer of a full board falling, who might now be passed by someone not
  // shown) is refetched.
  function applyBalances(v) {
    var entry = {
      id: v.user_id,
      name: text(v.username, ''),
      total: count(v.channel_points) + count(v.drop_points)
    };
    var board = state.board;
    var full = board.length >= BOARD_LIMIT;
    var at = board.findIndex(function (e) { return e.id === entry.id; });
    if (at >= 0) {
      var fell = entry.total < board[at].total;
      if (entry.total > 0) board[at] = entry; else board.splice(at, 1);
      if (fell && full) refetchBoardSoon();
    } else if (entry.total > 0 && (!full || ahead(entry, board[board.length - 1]))) {
      board.push(entry);
    } else {
      return;
    }
    sortBoard();
    renderBoard(entry.id);
  }

  function removeViewer(userId) {
    var full = state.board.length >= BOARD_LIMIT;
    var before = state.board.length;
    state.board = state.board.filter(function (e) { return e.id !== userId; });
    if (state.board.length !== before) {
      renderBoard();
      if (full) refetchBoardSoon();
    }
  }

  function renameViewer(user) {
    if (!user || typeof user !== 'object') return;
    var row = state.board.find(function (e) { return e.id === user.id; });
    if (row && typeof user.username === 'string' && row.name !== user.username) {
      row.name = user.username;
      renderBoard();
    }
  }

  // ---- goals ------------------------------------------------------------------------------

  function renderGoals() {
    var list = byId('goals');
    var rows = state.goals.map(function (g) {
      var target = Math.max(1, count(g.target_value));
      var current = count(g.current_value);
      var share = Math.max(0, Math.min(1, current / target));
      var li = el('li', current >= target ? 'done' : '');
      li.dataset.goalId = String(g.id);
      var head = el('div', 'goal-head');
      head.appendChild(el('span', 'goal-label', text(g.label, '')));
      head.appendChild(el('span', 'goal-figures',
        numbers.format(current) + ' / ' + numbers.format(target)));
      var bar = el('div', 'goal-bar');
      bar.setAttribute('role', 'progressbar');
      bar.setAttribute('aria-valuemin', '0');
      bar.setAttribute('aria-valuemax', String(target));
      bar.setAttribute('aria-valuenow', String(current));
      var fill = el('div', 'goal-fill');
      fill.style.width = (share * 100).toFixed(2) + '%';
      bar.appendChild(fill);
      li.appendChild(head);
      li.appendChild(bar);
      return li;
    });
    replaceRows(list, rows);
    list.closest('section').hidden = rows.length === 0;
  }

  function loadGoals() {
    return load('goals', 'goals', function (goals) {
      state.goals = Array.isArray(goals) ? goals : [];
      renderGoals();
    });
  }

  // The public list is the enabled goals by id; a goal event carries the goal when it is
  // enabled and nothing when it was disabled or deleted.
  function applyGoal(id, goal) {
    state.goals = state.goals.filter(function (g) { return g.id !== id; });
    if (goal && typeof goal === 'object') {
      state.goals.push(goal);
      state.goals.sort(function (a, b) { return a.id < b.id ? -1 : a.id > b.id ? 1 : 0; });
    }
    renderGoals();
  }

  // ---- tips -------------------------------------------------------------------------------

  function showTip() {
    var section = byId('tip').closest('section');
    if (state.tips.length === 0) {
      section.hidden = true;
      state.tip = -1;
      return;
    }
    state.tip = (state.tip + 1) % state.tips.length;
    var p = byId('tip');
    p.textContent = text(state.tips[state.tip].content, '');
    // Restart the fade-in: alternate between two identical animations.
    p.classList.toggle('again');
    section.hidden = false;
  }

  function loadTips() {
    return load('tips', 'tips', function (tips) {
      var shown = state.tips[state.tip];
      state.tips = Array.isArray(tips) ? tips : [];
      // Keep the rotation's place: show the same tip again if it is still there.
      var keep = shown ? state.tips.findIndex(function (t) { return t.id === shown.id; }) : -1;
      state.tip = keep >= 0 ? keep - 1 : -1;
      showTip();
    });
  }

  // ---- on air -----------------------------------------------------------------------------

  // The badge shows while the stream is live, as Kick's deliveries left it.
  function applyStream(live) {
    root.dataset.stream = live ? 'live' : 'offline';
    byId('on-air').hidden = !live;
  }

  // ---- ticker -----------------------------------------------------------------------------

  function signed(n) {
    return (n < 0 ? '\u2212' : '+') + numbers.format(Math.abs(n));
  }

  function powerup(type, quantity) {
    var names = POWERUPS[type] || ['a ' + type, type + 's'];
    return quantity > 1 ? numbers.format(quantity) + ' ' + names[1] : names[0];
  }

  function alertLine(d) {
    var n = count(d.amount);
    switch (d.kind) {
      case 'follow':
        return text(d.username, 'someone') + ' followed';
      case 'subscription':
        return text(d.username, 'someone') + ' subscribed';
      case 'renewal':
        return text(d.username, 'someone') + ' renewed their subscription';
      case 'gift':
        return text(d.username, 'an anonymous viewer') + ' gifted ' +
          (n > 1 ? numbers.format(n) + ' subscriptions' : 'a subscription');
      case 'kicks':
        return text(d.username, 'someone') + ' sent ' +
          (n > 1 ? numbers.format(n) + ' kicks' : 'a kick');
      default:
        return null;
    }
  }

  // The ticker's line for an event, or null for events it does not show.
  function tickerLine(type, d) {
    var who = text(d.username, 'someone');
    switch (type) {
      case 'points_changed':
        return who + ' ' + signed(count(d.amount)) + ' \u00b7 ' + text(d.source, '');
      case 'drop_recorded':
        return who + ' dropped for ' + numbers.format(count(d.score)) +
          (d.is_perfect ? ' \u00b7 perfect!' : '') +
          (d.powerup_used ? ' \u00b7 with ' + powerup(d.powerup_used, 1) : '');
      case 'powerup_purchased':
        return who + ' bought ' + powerup(d.powerup, count(d.quantity));
      case 'powerup_added':
        return who + ' got ' + powerup(d.powerup, count(d.quantity));
      case 'powerup_used':
        return who + ' used ' + powerup(d.powerup, 1);
      case 'alert':
        return alertLine(d);
      case 'live_changed':
        return d.live === true ? 'The stream is live' : 'The stream ended';
      default:
        return null;
    }
  }

  function addTicker(line, id) {
    var list = byId('ticker');
    var li = el('li', '', line);
    li.dataset.eventId = String(id);
    list.insertBefore(li, list.firstChild);
    while (list.children.length > TICKER_MAX) list.removeChild(list.lastChild);
  }

  // ---- the event stream -------------------------------------------------------------------

  function onEvent(message) {
    var event;
    try {
      event = JSON.parse(message.data);
    } catch (e) {
      console.warn('overlay: an event that is not JSON', message.data);
      return;
    }
    var type = message.type;
    var d = event && event.data && typeof event.data === 'object' ? event.data : {};
    if (type === 'reset') {
      // Our place in the stream was purged: read everything again.
      state.lastId = count(event && event.last_id);
      loadAll();
      return;
    }
    var id = count(event && event.id);
    if (id && id <= state.lastId) return;
    if (id) state.lastId = id;
    switch (type) {
      case 'points_changed':
      case 'drop_recorded':
        change('board', function () { applyBalances(d); });
        break;
      case 'viewer_removed':
        change('board', function () { removeViewer(d.user_id); });
        break;
      case 'viewer_changed':
        change('board', function () { renameViewer(d.user); });
        break;
      case 'goal_changed':
        change('goals', function () { applyGoal(d.id, d.goal); });
        break;
      case 'tip_changed':
        debounce('tips', loadTips, 250);
        break;
      case 'theme_changed':
        change('theme', function () { applyTheme(d.theme && d.theme.theme); });
        break;
      case 'live_changed':
        change('stream', function () { applyStream(d.live === true); });
        break;
      default:
        break;
    }
    var line = tickerLine(type, d);
    if (line) addTicker(line, id);
  }

  var source = null;
  var opened = 0;

  // The stream starts from now, unless the browser says where it was (the id of the last event
  // it received, sent by itself when it reconnects). Its first event, `ready`, says the server
  // follows everything after that point: the data is read then, so nothing that commits after
  // the read can be missed (an event also in the read is applied again, harmlessly: it carries
  // balances, not differences). It is read again whenever a stream starts without such an id.
  function connect() {
    source = new EventSource(base + 'api/events');
    opened = 0;
    source.addEventListener('open', function () {
      root.dataset.live = 'true';
    });
    source.addEventListener('ready', function (message) {
      opened += 1;
      if (opened !== 1 && state.lastId !== 0) return;
      var ready = {};
      try {
        ready = JSON.parse(message.data);
      } catch (e) {
        ready = {};
      }
      // Events up to the ready point are in the data read now.
      state.lastId = Math.max(state.lastId, count(ready && ready.last_id));
      loadAll();
    });
    source.addEventListener('error', function () {
      root.dataset.live = 'false';
      // The browser reconnects by itself unless the server refused the stream; then start a
      // new one (which reads everything again once open).
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        debounce('reconnect', connect, RETRY_MS);
      }
    });
    EVENT_TYPES.forEach(function (type) {
      source.addEventListener(type, onEvent);
    });
  }

  function loadAll() {
    return Promise.all([
      load('theme', 'theme', function (t) { applyTheme(t && t.theme); }),
      load('stream', 'stream', function (s) { applyStream(!!s && s.live === true); }),
      loadBoard(),
      loadGoals(),
      loadTips()
    ]).then(function () {
      root.dataset.loaded = 'true';
    });
  }

  if (params.get('chroma') === '1' || params.get('chroma') === 'true') {
    root.dataset.chroma = 'true';
  }
  if (window.EventSource) {
    connect();
    // Show something even when the stream cannot open (the page then stays as read).
    setTimeout(function () {
      if (root.dataset.loaded !== 'true') loadAll();
    }, RETRY_MS);
  } else {
    loadAll();
  }
  setInterval(showTip, TIP_MS);
})();
