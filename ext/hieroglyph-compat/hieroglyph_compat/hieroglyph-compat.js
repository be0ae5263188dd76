/* hieroglyph-compat.js: fixes for hieroglyph 2.1.0's stock deck scripts
   (slides.js, controller.js, sync.js, console.js), loaded before them.

   What it fixes, for any hieroglyph deck:

   * controller.js calls isChromeVoxActive(), which only exists inside
     slides.js's closure: every up/down arrow threw a ReferenceError.
   * Incremental (build) lists: the deck is a sequence of positions
     (slide, step), step = how many items of the slide's build lists are
     shown.  Forward from a slide's last step goes to the next slide at
     step 0; back from step 0 goes to the previous slide at its last step
     (every item shown, as the audience last saw it), as in PowerPoint and
     reveal.js.  Jumping (Home, End, a number, #N in the URL, opening the
     deck) lands on step 0.  The state no longer depends on the slide the
     deck was opened on (slides.js prepared build lists only from there on).
   * Keys of the field (reveal.js, PowerPoint, presentation clickers):
     right/down/Space/PgDn/Enter next, left/up/Shift+Space/PgUp/Backspace
     back, Home/End, a number then Enter goes to that slide, b or .
     blacks the screen, f fullscreen, ? lists the keys, c the presenter
     console, t the overview, Escape closes what is open.
   * #N (or #section-id) typed in the address bar navigates (hashchange).
   * Swipe left/right on touch screens.
   * The presenter console follows the deck over a BroadcastChannel, so it
     stays in sync when the deck reloads or its hash changes (the stock
     console only knew the window that opened it, and lost it on reload),
     shows the slide and the step, and its previews are scaled copies of
     the real slides (the stock console laid them out again at a smaller
     size: code lines were cut, part titles blank).
   * The slide's scale: --hieroglyph-scale on <html> is the factor that
     fits the slide (its CSS size) into the window; a theme may use it to
     letterbox the slide (the course-slides theme does).
*/
(function () {
    'use strict';

    // controller.js (a separate script) calls this; slides.js has its own
    // copy inside its closure.
    window.isChromeVoxActive = function () {
        return typeof cvox !== 'undefined';
    };

    // console.js posts to window.opener as it starts: a console opened on
    // its own (no deck opened it) threw a TypeError
    if (window.opener === null && /console\.html$/.test(location.pathname)) {
        window.opener = {postMessage: function () {}};
    }

    // hieroglyph's own window messages (console.js <-> sync.js): taken over
    // before their listeners see them (this listener is the first one);
    // the deck answers them once it has started, the console ignores them.
    var onHieroglyphMessage = null;
    window.addEventListener('message', function (event) {
        var data = event.data;
        if (data && typeof data === 'object' && 'command' in data) {
            event.stopImmediatePropagation();
            if (onHieroglyphMessage) {
                onHieroglyphMessage(data);
            }
        }
    }, true);

    var SLIDE_CLASSES = ['far-past', 'past', 'current', 'next', 'far-next'];
    var CHANNEL_PREFIX = 'hieroglyph-deck:';

    function channelName() {
        // one channel per folder: console.html serves every deck beside it
        var path = location.pathname;
        return CHANNEL_PREFIX + path.slice(0, path.lastIndexOf('/') + 1);
    }

    function openChannel(onMessage) {
        if (typeof BroadcastChannel === 'undefined') {
            return null;
        }
        var channel = new BroadcastChannel(channelName());
        channel.onmessage = function (event) { onMessage(event.data); };
        return channel;
    }

    var KEY_HELP = [
        ['\u2192 \u2193 Space PgDn Enter', 'next step or slide'],
        ['\u2190 \u2191 Shift+Space PgUp', 'previous step or slide'],
        ['Home / End', 'first / last slide'],
        ['a number, then Enter', 'go to that slide'],
        ['b or .', 'black screen (again: back)'],
        ['f', 'fullscreen'],
        ['c', 'presenter console'],
        ['t', 'overview of all slides'],
        ['?', 'this list of keys'],
        ['Esc', 'close the list, the overview, the black screen']
    ];

    // Which way a key moves, or which command it is (null: not ours).
    function commandFor(event) {
        if (event.ctrlKey || event.altKey || event.metaKey) {
            return null;
        }
        var key = event.key;
        if (/^[0-9]$/.test(key)) {
            return 'digit';
        }
        switch (key) {
        case 'ArrowRight': case 'ArrowDown': case 'PageDown':
            return 'next';
        case 'ArrowLeft': case 'ArrowUp': case 'PageUp': case 'Backspace':
            return 'prev';
        case ' ': case 'Spacebar':
            return event.shiftKey ? 'prev' : 'next';
        case 'Enter':
            return 'enter';
        case 'Home':
            return 'first';
        case 'End':
            return 'last';
        case 'b': case 'B': case '.':
            return 'blackout';
        case 'f': case 'F':
            return 'fullscreen';
        case '?':
            return 'help';
        case 'c': case 'C':
            return 'console';
        case 't': case 'T':
            return 'overview';
        case 'Escape':
            return 'escape';
        }
        return null;
    }

    function makeHelp() {
        var help = document.createElement('div');
        help.id = 'hieroglyph-keys';
        help.className = 'hieroglyph-keys';
        help.setAttribute('role', 'dialog');
        help.setAttribute('aria-label', 'Keyboard shortcuts');
        help.hidden = true;
        var rows = KEY_HELP.map(function (row) {
            return '<tr><th scope="row">' + row[0] + '</th><td>' + row[1] + '</td></tr>';
        }).join('');
        help.innerHTML = '<h2>Keys</h2><table>' + rows + '</table>' +
            '<p>Press ? or Esc to close.</p>';
        document.body.appendChild(help);
        return help;
    }

    function toggleFullscreen() {
        try {
            var result = document.fullscreenElement
                ? document.exitFullscreen()
                : document.documentElement.requestFullscreen();
            if (result && result.catch) {
                result.catch(function () {});  // refused (no user gesture, iframe): nothing to do
            }
        } catch (error) { /* no Fullscreen API */ }
    }

    // ------------------------------------------------------------------
    // The deck
    // ------------------------------------------------------------------

    function startDeck() {
        var deck = window.SlideDeck;
        // slides.js set a 1100px-wide viewport: phones then showed a tiny
        // deck; the slide is scaled to the device's own width instead.
        var viewport = document.querySelectorAll('meta[name=viewport]');
        for (var v = 0; v < viewport.length; v++) {
            viewport[v].content = 'width=device-width, initial-scale=1';
        }
        var container = document.querySelector('section.slides');
        var slides = document.querySelectorAll('section.slides > article');
        var state = {index: deck.curSlide(), step: 0};
        var typed = '';
        var channel = null;

        var blackout = document.createElement('div');
        blackout.id = 'hieroglyph-blackout';
        blackout.className = 'hieroglyph-blackout';
        blackout.hidden = true;
        document.body.appendChild(blackout);
        var help = makeHelp();
        var goto = document.createElement('div');
        goto.id = 'hieroglyph-goto';
        goto.className = 'hieroglyph-goto';
        goto.setAttribute('aria-live', 'polite');
        goto.hidden = true;
        document.body.appendChild(goto);

        function items(index) {
            return slides[index] ? slides[index].querySelectorAll('.build > *') : [];
        }

        function steps(index) {
            return items(index).length;
        }

        function inOverview() {
            return container.classList.contains('table');
        }

        function render() {
            var built = items(state.index);
            for (var i = 0; i < built.length; i++) {
                built[i].classList.toggle('to-build', i >= state.step);
            }
            if (deck.curSlide() !== state.index) {
                deck.setLocation(state.index);  // slides.js: classes, events, #N
            }
            document.documentElement.dataset.slide = String(state.index + 1);
            document.documentElement.dataset.step = String(state.step);
            broadcast();
        }

        function go(index, step) {
            state.index = Math.max(0, Math.min(slides.length - 1, index));
            state.step = Math.max(0, Math.min(steps(state.index), step || 0));
            render();
        }

        function next() {
            if (state.step < steps(state.index)) {
                go(state.index, state.step + 1);
            } else if (state.index < slides.length - 1) {
                go(state.index + 1, 0);
            }
        }

        function prev() {
            if (state.step > 0) {
                go(state.index, state.step - 1);
            } else if (state.index > 0) {
                go(state.index - 1, steps(state.index - 1));
            }
        }

        function slideHTML(index, step) {
            var slide = slides[index];
            if (!slide) {
                return '';
            }
            var copy = slide.cloneNode(true);
            var built = copy.querySelectorAll('.build > *');
            for (var i = 0; i < built.length; i++) {
                built[i].classList.toggle('to-build', i >= step);
            }
            return copy.outerHTML;
        }

        function stateMessage() {
            var box = slides[state.index];
            return {
                type: 'state',
                deck: location.pathname,
                title: document.title,
                index: state.index,
                step: state.step,
                steps: steps(state.index),
                count: slides.length,
                width: box.offsetWidth || 900,
                height: box.offsetHeight || 700,
                prev: slideHTML(state.index - 1, steps(state.index - 1)),
                current: slideHTML(state.index, state.step),
                next: slideHTML(state.index + 1, 0)
            };
        }

        function broadcast() {
            if (channel) {
                channel.postMessage(stateMessage());
            }
        }

        function handle(command) {
            switch (command) {
            case 'next': next(); break;
            case 'prev': prev(); break;
            case 'first': go(0, 0); break;
            case 'last': go(slides.length - 1, 0); break;
            }
        }

        channel = openChannel(function (message) {
            if (!message) {
                return;
            }
            if (message.type === 'hello') {
                broadcast();
            } else if (message.type === 'command') {
                handle(message.command);
            } else if (message.type === 'go') {
                go(message.index, message.step || 0);
            }
        });

        // The stock console's postMessage commands (sync.js answered them
        // and logged every message): answered here instead.
        onHieroglyphMessage = function (data) {
            if (data.command === 'nextSlide') {
                next();
            } else if (data.command === 'prevSlide') {
                prev();
            } else if (data.command === 'register') {
                broadcast();
            }
        };

        // stock click areas and overview clicks: keep our state in step
        window.addEventListener('click', function (event) {
            var area = event.target.closest && event.target.closest('.slide-area');
            if (area && !inOverview()) {
                event.stopImmediatePropagation();
                event.preventDefault();
                if (area.id === 'prev-slide-area') { prev(); } else { next(); }
                return;
            }
            if (inOverview()) {
                setTimeout(function () {
                    if (!inOverview() && deck.curSlide() !== state.index) {
                        go(deck.curSlide(), 0);
                    }
                }, 0);
            }
        }, true);

        function setTyped(text) {
            typed = text;
            goto.textContent = typed ? 'Go to slide ' + typed : '';
            goto.hidden = !typed;
        }

        window.addEventListener('keydown', function (event) {
            var command = commandFor(event);
            if (command === null) {
                return;
            }
            event.stopImmediatePropagation();  // the stock controllers' handlers
            if (command !== 'console' && command !== 'fullscreen') {
                event.preventDefault();
            }
            if (command === 'digit') {
                setTyped(typed + event.key);
                return;
            }
            if (command === 'enter' && typed) {
                var number = parseInt(typed, 10);
                setTyped('');
                if (number >= 1 && number <= slides.length) {
                    go(number - 1, 0);
                }
                return;
            }
            setTyped('');
            if (command === 'escape') {
                help.hidden = true;
                blackout.hidden = true;
                if (inOverview()) {
                    deck.toggleView();
                    go(deck.curSlide(), 0);
                }
                return;
            }
            if (command === 'help') {
                help.hidden = !help.hidden;
                return;
            }
            if (command === 'blackout') {
                blackout.hidden = !blackout.hidden;
                return;
            }
            if (command === 'fullscreen') {
                toggleFullscreen();
                return;
            }
            if (command === 'console') {
                window.open(DOCUMENTATION_OPTIONS.URL_ROOT + 'console.html', 'console',
                            'menubar=no,location=no,resizable=yes,scrollbars=yes,status=yes');
                return;
            }
            if (command === 'overview') {
                deck.toggleView();
                if (!inOverview()) {
                    go(deck.curSlide(), 0);
                }
                return;
            }
            if (inOverview()) {
                if (command === 'enter') {
                    deck.toggleView();
                    go(deck.curSlide(), 0);
                }
                return;
            }
            blackout.hidden = true;
            if (command === 'enter') {
                command = 'next';
            }
            handle(command);
        }, true);

        window.addEventListener('hashchange', function () {
            var hash = decodeURIComponent(location.hash.slice(1));
            var index = -1;
            if (/^[0-9]+$/.test(hash)) {
                index = parseInt(hash, 10) - 1;
            } else if (hash) {
                var target = document.getElementById(hash);
                var slide = target && target.closest('section.slides > article');
                index = slide ? Array.prototype.indexOf.call(slides, slide) : -1;
            }
            if (index >= 0 && index < slides.length && index !== state.index) {
                go(index, 0);
            }
        });

        // swipe: left for the next step, right for the previous one
        var touch = null;
        window.addEventListener('touchstart', function (event) {
            touch = event.touches.length === 1
                ? {x: event.touches[0].clientX, y: event.touches[0].clientY} : null;
            event.stopPropagation();  // slides.js's own swipe skipped build steps
        }, true);
        window.addEventListener('touchend', function (event) {
            if (!touch || !event.changedTouches.length) {
                return;
            }
            var dx = event.changedTouches[0].clientX - touch.x;
            var dy = event.changedTouches[0].clientY - touch.y;
            touch = null;
            if (Math.abs(dx) > 40 && Math.abs(dy) < Math.abs(dx)) {
                if (dx < 0) { next(); } else { prev(); }
            }
        }, true);

        // the scale that fits the slide into the window
        function fit() {
            var box = slides[state.index] || slides[0];
            if (!box) {
                return;
            }
            var width = box.offsetWidth, height = box.offsetHeight;
            if (!width || !height) {
                return;
            }
            var scale = Math.min(window.innerWidth / width, window.innerHeight / height);
            document.documentElement.style.setProperty('--hieroglyph-scale', String(scale));
        }
        window.addEventListener('resize', fit);

        // a fresh start: every build list hidden, then the position shown
        for (var i = 0; i < slides.length; i++) {
            var built = items(i);
            for (var j = 0; j < built.length; j++) {
                built[j].classList.add('to-build');
            }
        }
        deck.nextSlide = next;
        deck.prevSlide = prev;
        deck.go = go;
        deck.position = function () { return {index: state.index, step: state.step}; };
        go(state.index, 0);
        fit();
        document.documentElement.classList.add('hieroglyph-ready');
    }

    // ------------------------------------------------------------------
    // The presenter console
    // ------------------------------------------------------------------

    function startConsole() {
        var container = document.getElementById('slide_container');
        var notes = document.getElementById('presenter_notes');
        var number = document.getElementById('cur_slide_num');
        var total = document.getElementById('num_slides');
        var step = document.getElementById('cur_step');
        if (!step && total) {
            step = document.createElement('span');
            step.id = 'cur_step';
            total.parentNode.insertBefore(step, total.nextSibling);
        }
        var last = null;
        var typed = '';
        container.classList.add('hieroglyph-console');
        container.innerHTML = '';
        var boxes = {};
        ['current', 'next', 'prev'].forEach(function (which) {
            var box = document.createElement('div');
            box.className = 'hieroglyph-preview hieroglyph-preview-' + which;
            box.setAttribute('aria-label', which === 'current' ? 'current slide'
                             : which === 'next' ? 'next slide' : 'previous slide');
            box.setAttribute('role', 'group');
            container.appendChild(box);
            boxes[which] = box;
        });
        var help = makeHelp();

        var channel = openChannel(function (message) {
            if (message && message.type === 'state') {
                last = message;
                show();
            }
        });

        function send(message) {
            if (channel) {
                channel.postMessage(message);
            }
        }

        function preview(box, html, width, height) {
            box.innerHTML = '';
            var available = box.clientWidth || 300;
            var scale = available / width;
            box.style.height = Math.round(height * scale) + 'px';
            if (!html) {
                box.classList.add('hieroglyph-preview-empty');
                return;
            }
            box.classList.remove('hieroglyph-preview-empty');
            // the slide in a deck-like container, at its own size, shrunk
            var stage = document.createElement('section');
            stage.className = 'slides hieroglyph-preview-stage';
            stage.style.cssText = 'position:absolute;left:0;top:0;width:' + width +
                'px;height:' + height + 'px;transform-origin:0 0;transform:scale(' +
                scale + ');overflow:hidden;';
            stage.style.setProperty('--hieroglyph-scale', '1');
            stage.innerHTML = html;
            var slide = stage.firstElementChild;
            SLIDE_CLASSES.forEach(function (name) { slide.classList.remove(name); });
            slide.classList.add('current');
            slide.removeAttribute('id');
            slide.style.cssText = 'position:absolute;left:0;top:0;margin:0;transform:none;' +
                'display:block;';
            box.appendChild(stage);
        }

        function show() {
            if (!last) {
                return;
            }
            number.textContent = String(last.index + 1);
            total.textContent = String(last.count);
            step.textContent = last.steps ? ' \u00b7 step ' + last.step + ' of ' + last.steps : '';
            preview(boxes.current, last.current, last.width, last.height);
            preview(boxes.next, last.next, last.width, last.height);
            preview(boxes.prev, last.prev, last.width, last.height);
            notes.innerHTML = '';
            var holder = document.createElement('div');
            holder.innerHTML = last.current;
            var found = holder.querySelectorAll('div.admonition.note');
            for (var i = 0; i < found.length; i++) {
                var title = found[i].querySelector('.admonition-title');
                if (title) {
                    title.remove();
                }
                notes.insertAdjacentHTML('beforeend', found[i].innerHTML);
            }
            if (!found.length) {
                notes.textContent = 'No speaker notes for this slide.';
            }
        }

        window.addEventListener('resize', show);

        function clicked(command) {
            return function (event) {
                event.preventDefault();
                event.stopImmediatePropagation();
                send({type: 'command', command: command});
            };
        }
        var nextLink = document.getElementById('next');
        var prevLink = document.getElementById('prev');
        if (nextLink) { nextLink.addEventListener('click', clicked('next'), true); }
        if (prevLink) { prevLink.addEventListener('click', clicked('prev'), true); }

        window.addEventListener('keydown', function (event) {
            var command = commandFor(event);
            if (command === null) {
                return;
            }
            event.stopImmediatePropagation();  // console.js's own handler
            event.preventDefault();
            if (command === 'digit') {
                typed += event.key;
                return;
            }
            if (command === 'enter' && typed) {
                send({type: 'go', index: parseInt(typed, 10) - 1, step: 0});
                typed = '';
                return;
            }
            typed = '';
            if (command === 'help') {
                help.hidden = !help.hidden;
            } else if (command === 'escape') {
                help.hidden = true;
            } else if (command === 'fullscreen') {
                toggleFullscreen();
            } else if (command === 'enter') {
                send({type: 'command', command: 'next'});
            } else if (['next', 'prev', 'first', 'last'].indexOf(command) >= 0) {
                send({type: 'command', command: command});
            }
        }, true);

        send({type: 'hello'});
        document.documentElement.classList.add('hieroglyph-ready');
    }

    // After slides.js and console.js have set up (their DOMContentLoaded
    // handlers are on document; this one, on window, runs after them).
    window.addEventListener('DOMContentLoaded', function () {
        if (document.querySelector('section.slides > article') && window.SlideDeck) {
            startDeck();
        } else if (document.getElementById('presenter_notes')) {
            startConsole();
        }
    });
}());
