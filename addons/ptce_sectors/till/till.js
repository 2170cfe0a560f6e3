/* Touchscreen till of Les Ateliers: rings up the order in the browser and
 * sends it, paid, to the server methods of ptce_sectors (till.py) with an
 * idempotency key.  Every rule (prices, taxes, meal vouchers, chaining,
 * closings) is the server's; this page only shows its answers. */
'use strict';

(function () {
    const parts = window.location.pathname.split('/').filter(Boolean);
    const DATABASE = decodeURIComponent(parts[0]);
    const POINT = parseInt(parts[2], 10);
    const ROOT = '/' + encodeURIComponent(DATABASE) + '/';
    const PENDING = `till-pending:${DATABASE}:${POINT}`;
    // The session cookie is HttpOnly: remember only that there is one
    const LOGGED = `till-logged:${DATABASE}`;
    const money = new Intl.NumberFormat('fr-FR',
        {style: 'currency', currency: 'EUR'});
    const $ = (id) => document.getElementById(id);
    // XMLHttpRequest: trytond answers 401 without a Basic challenge, so
    // the browser shows no password dialog of its own
    const HEADERS = {'Content-Type': 'application/json',
        'X-Requested-With': 'XMLHttpRequest'};

    let context = {};
    let catalog = null;
    let category = null;
    let order = newOrder();
    let rpcId = 0;

    // saved: the order is an open table kept on the server under its key
    function newOrder() {
        return {key: newKey(), lines: [], payments: [], table: '', covers: 0,
            tip: '0', saved: false};
    }

    function newKey() {
        if (window.crypto && window.crypto.randomUUID) {
            return window.crypto.randomUUID();
        }
        return Date.now().toString(36) + Math.random().toString(36).slice(2);
    }

    // Cents as integers: the page adds amounts, never rounds them
    function cents(value) {
        return Math.round(parseFloat(value || 0) * 100);
    }
    function euros(value) {
        return (value / 100).toFixed(2);
    }

    class ServerError extends Error {}
    class NetworkError extends Error {}
    class SessionExpired extends Error {}

    async function rpc(method, params) {
        let response;
        try {
            response = await fetch(ROOT + 'rpc/', {
                method: 'POST',
                credentials: 'same-origin',
                headers: HEADERS,
                body: JSON.stringify({id: ++rpcId, method: method,
                    params: params.concat([context])}),
            });
        } catch (error) {
            throw new NetworkError('Serveur injoignable');
        }
        if (response.status === 401 || response.status === 403) {
            throw new SessionExpired('Session expirée');
        }
        if (!response.ok) {
            if (response.status >= 500) {
                throw new NetworkError(`Erreur du serveur (${response.status})`);
            }
            throw new ServerError(`Requête refusée (${response.status})`);
        }
        const data = await response.json();
        if (data.error) {
            const [type, args] = data.error;
            if (type === 'UserError' || type === 'UserWarning'
                    || type === 'ConcurrencyException') {
                throw new ServerError(Array.isArray(args) ? args[0] : args);
            }
            if (type.startsWith('401') || type === 'NotLogged') {
                throw new SessionExpired('Session expirée');
            }
            throw new ServerError('Erreur du serveur : ' + type);
        }
        return data.result;
    }

    function status(text) {
        $('status').textContent = text || '';
    }

    function show(screen) {
        for (const section of document.querySelectorAll('.screen')) {
            section.hidden = section.id !== screen;
        }
        $('menu').hidden = screen === 'login-screen';
    }

    function handle(error, target) {
        if (error instanceof SessionExpired) {
            window.sessionStorage.removeItem(LOGGED);
            show('login-screen');
            loadCashiers();
            $('login-error').textContent =
                'Votre session a expiré : reconnectez-vous.';
            return;
        }
        $(target).textContent = error.message;
    }

    // Login with trytond's session cookie (HttpOnly, SameSite=Strict)
    $('login-form').addEventListener('submit', async (event) => {
        event.preventDefault();
        $('login-error').textContent = '';
        const response = await fetch(ROOT + 'session/login', {
            method: 'POST',
            credentials: 'same-origin',
            headers: HEADERS,
            body: JSON.stringify({params: [$('login').value,
                {password: $('password').value}, 'fr']}),
        }).catch(() => null);
        $('password').value = '';
        if (!response) {
            $('login-error').textContent = 'Serveur injoignable.';
            return;
        }
        if (response.status === 429) {
            $('login-error').textContent =
                'Trop de tentatives : patientez avant de réessayer.';
            return;
        }
        if (!response.ok) {
            $('login-error').textContent =
                'Identifiant ou mot de passe incorrect.';
            return;
        }
        window.sessionStorage.setItem(LOGGED, '1');
        await start();
    });

    // Login by PIN: the cashier picks their name and types their code
    let cashier = null;

    async function loadCashiers() {
        let cashiers = [];
        try {
            const response = await fetch(
                ROOT + `pos/${POINT}/cashiers`, {credentials: 'same-origin'});
            if (response.ok) {
                cashiers = await response.json();
            }
        } catch (error) {
            cashiers = [];
        }
        const box = $('cashiers');
        box.replaceChildren();
        for (const c of cashiers) {
            const button = document.createElement('button');
            button.type = 'button';
            button.textContent = c.name;
            button.setAttribute('aria-pressed', String(
                cashier !== null && cashier.id === c.id));
            button.addEventListener('click', () => {
                cashier = c;
                for (const b of box.children) {
                    b.setAttribute('aria-pressed', String(b === button));
                }
                $('pin').focus();
            });
            box.appendChild(button);
        }
        $('pin-form').hidden = cashiers.length === 0;
    }

    $('pin-form').addEventListener('submit', async (event) => {
        event.preventDefault();
        $('pin-error').textContent = '';
        if (!cashier) {
            $('pin-error').textContent = 'Choisissez votre nom.';
            return;
        }
        const response = await fetch(ROOT + `pos/${POINT}/pin`, {
            method: 'POST',
            credentials: 'same-origin',
            headers: HEADERS,
            body: JSON.stringify({user: cashier.id, pin: $('pin').value}),
        }).catch(() => null);
        $('pin').value = '';
        if (!response) {
            $('pin-error').textContent = 'Serveur injoignable.';
        } else if (response.status === 429) {
            $('pin-error').textContent =
                'Trop de tentatives : patientez avant de réessayer.';
        } else if (!response.ok) {
            $('pin-error').textContent = 'Code incorrect.';
        } else {
            window.sessionStorage.setItem(LOGGED, '1');
            await start();
        }
    });

    $('logout').addEventListener('click', async () => {
        await fetch(ROOT + 'session/logout', {method: 'POST',
            headers: HEADERS, credentials: 'same-origin'}).catch(() => null);
        context = {};
        window.sessionStorage.removeItem(LOGGED);
        show('login-screen');
        loadCashiers();
    });

    async function start(quiet) {
        try {
            context = await rpc('model.res.user.get_preferences', [true]);
            catalog = await rpc('model.sale.point.till_catalog', [[POINT]]);
        } catch (error) {
            if (quiet) {
                show('login-screen');
            } else {
                handle(error, 'login-error');
            }
            return;
        }
        $('title').textContent = `Caisse — ${catalog.point.name}`;
        document.title = `Caisse — ${catalog.point.name}`;
        $('restaurant').hidden = !catalog.point.restaurant;
        $('show-tables').hidden = !catalog.point.restaurant;
        $('save-table').hidden = !catalog.point.restaurant;
        renderCategories();
        renderProducts();
        renderOrder();
        flushPending();
        if (catalog.point.restaurant) {
            await renderTables();
        } else {
            show('till-screen');
            $('search').focus();
        }
    }

    // Catalog
    function renderCategories() {
        const box = $('categories');
        box.replaceChildren();
        const all = [{id: null, name: 'Tout'}].concat(catalog.categories);
        for (const cat of all) {
            const button = document.createElement('button');
            button.type = 'button';
            button.setAttribute('role', 'tab');
            button.setAttribute('aria-selected', String(cat.id === category));
            button.textContent = cat.name;
            button.addEventListener('click', () => {
                category = cat.id;
                renderCategories();
                renderProducts();
            });
            box.appendChild(button);
        }
    }

    function renderProducts() {
        const box = $('products');
        box.replaceChildren();
        const text = $('search').value.trim().toLowerCase();
        for (const product of catalog.products) {
            if (category !== null && !product.categories.includes(category)) {
                continue;
            }
            if (text && !product.name.toLowerCase().includes(text)
                    && !product.code.toLowerCase().includes(text)
                    && !product.barcodes.includes(text)) {
                continue;
            }
            const button = document.createElement('button');
            button.type = 'button';
            button.className = 'product';
            button.dataset.product = product.id;
            const name = document.createElement('span');
            name.textContent = product.name;
            const price = document.createElement('span');
            price.className = 'price';
            price.textContent = money.format(product.price);
            button.append(name, price);
            button.addEventListener('click', () => addProduct(product));
            box.appendChild(button);
        }
    }

    $('search').addEventListener('input', renderProducts);
    // A barcode scanner types the code then Enter
    $('search').addEventListener('keydown', (event) => {
        if (event.key !== 'Enter') {
            return;
        }
        const code = $('search').value.trim();
        const product = catalog.products.find((p) =>
            p.barcodes.includes(code) || (p.code && p.code === code));
        if (product) {
            addProduct(product);
            $('search').value = '';
            renderProducts();
        } else {
            status(`Code inconnu : ${code}`);
        }
    });

    // Order
    function addProduct(product) {
        const line = order.lines.find(
            (l) => l.product === product.id && !l.note);
        if (line) {
            line.quantity += 1;
        } else {
            order.lines.push({product: product.id, quantity: 1, note: ''});
        }
        renderOrder();
    }

    function product(id) {
        return catalog.products.find((p) => p.id === id);
    }

    function orderTotal() {
        let total = 0;
        for (const line of order.lines) {
            total += cents(product(line.product).price) * line.quantity;
        }
        return total + cents(order.tip);
    }

    function renderOrder() {
        const list = $('lines');
        list.replaceChildren();
        order.lines.forEach((line, index) => {
            const p = product(line.product);
            const item = document.createElement('li');
            const name = document.createElement('span');
            name.className = 'name';
            name.textContent = p.name;
            const minus = lineButton('−', `Retirer un ${p.name}`, () => {
                line.quantity -= 1;
                if (line.quantity <= 0) {
                    order.lines.splice(index, 1);
                }
                renderOrder();
            });
            const quantity = document.createElement('span');
            quantity.className = 'quantity';
            quantity.textContent = line.quantity;
            const plus = lineButton('+', `Ajouter un ${p.name}`, () => {
                line.quantity += 1;
                renderOrder();
            });
            const amount = document.createElement('span');
            amount.className = 'amount';
            amount.textContent = money.format(
                euros(cents(p.price) * line.quantity));
            const remove = lineButton('✕', `Supprimer ${p.name}`, () => {
                order.lines.splice(index, 1);
                renderOrder();
            });
            const note = document.createElement('input');
            note.className = 'note';
            note.placeholder = 'Note pour la cuisine';
            note.setAttribute('aria-label', `Note pour la cuisine : ${p.name}`);
            note.value = line.note;
            note.addEventListener('change', () => {
                line.note = note.value;
            });
            item.append(name, minus, quantity, plus, amount, remove, note);
            list.appendChild(item);
        });
        $('empty').hidden = order.lines.length > 0;
        $('table').value = order.table;
        $('covers').value = order.covers;
        $('tip').value = order.tip;
        $('total').textContent = money.format(euros(orderTotal()));
        $('pay').disabled = order.lines.length === 0;
        $('save-table').disabled = order.lines.length === 0;
        $('save-table').textContent = order.saved
            ? 'Enregistrer la table' : 'Garder la table';
        $('clear').textContent = order.saved
            ? 'Annuler la table' : 'Annuler la commande';
    }

    function lineButton(text, label, action) {
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = text;
        button.setAttribute('aria-label', label);
        button.addEventListener('click', action);
        return button;
    }

    $('table').addEventListener('change', () => {
        order.table = $('table').value;
    });
    $('covers').addEventListener('change', () => {
        order.covers = parseInt($('covers').value || '0', 10);
    });
    $('tip').addEventListener('change', () => {
        order.tip = euros(cents($('tip').value));
        renderOrder();
    });
    $('clear').addEventListener('click', async () => {
        $('order-error').textContent = '';
        if (order.saved) {
            if (!window.confirm(`Annuler la table ${order.table} ? `
                    + 'Rien ne sera encaissé.')) {
                return;
            }
            try {
                await rpc('model.sale.point.sale.till_cancel_table',
                    [POINT, order.key]);
            } catch (error) {
                handle(error, 'order-error');
                return;
            }
        }
        order = newOrder();
        renderOrder();
    });

    // Restaurant tables kept open on the server: another till or a
    // reload takes them up; paying one finishes the same sale (same key)
    $('save-table').addEventListener('click', async () => {
        $('order-error').textContent = '';
        try {
            await rpc('model.sale.point.sale.till_save_table',
                [POINT, payload(order), order.key]);
        } catch (error) {
            handle(error, 'order-error');
            return;
        }
        status(`Table ${order.table} enregistrée.`);
        order = newOrder();
        renderOrder();
        await renderTables();
    });

    $('show-tables').addEventListener('click', renderTables);
    $('new-table').addEventListener('click', () => {
        order = newOrder();
        renderOrder();
        show('till-screen');
        $('table').focus();
    });

    async function renderTables() {
        $('tables-error').textContent = '';
        $('tables').replaceChildren();
        $('no-tables').hidden = true;
        show('tables-screen');
        let tables;
        try {
            tables = await rpc('model.sale.point.till_tables', [[POINT]]);
        } catch (error) {
            handle(error, 'tables-error');
            return;
        }
        const box = $('tables');
        box.replaceChildren();
        for (const t of tables) {
            const button = document.createElement('button');
            button.type = 'button';
            button.className = 'table';
            const name = document.createElement('strong');
            name.textContent = `Table ${t.table}`;
            const detail = document.createElement('span');
            detail.textContent = `${t.covers} couvert(s) — `
                + money.format(t.total);
            button.append(name, detail);
            button.addEventListener('click', () => resumeTable(t));
            box.appendChild(button);
        }
        $('no-tables').hidden = tables.length > 0;
        $('new-table').focus();
    }

    function resumeTable(t) {
        order = {key: t.key, payments: [], table: t.table,
            covers: t.covers, tip: t.tip, saved: true,
            lines: t.lines.map((l) => ({product: l.product,
                quantity: parseFloat(l.quantity), note: l.note}))};
        renderOrder();
        show('till-screen');
        $('search').focus();
    }

    // Payment
    let method = null;

    function paid() {
        return order.payments.reduce((s, p) => s + cents(p.amount), 0);
    }

    $('pay').addEventListener('click', () => {
        order.payments = [];
        $('pay-error').textContent = '';
        renderPayment();
        show('pay-screen');
    });
    $('pay-back').addEventListener('click', () => show('till-screen'));

    function renderPayment() {
        const remaining = orderTotal() - paid();
        $('remaining').textContent = money.format(euros(remaining));
        const box = $('methods');
        box.replaceChildren();
        for (const m of catalog.methods) {
            const button = document.createElement('button');
            button.type = 'button';
            button.textContent = m.name;
            button.setAttribute('aria-pressed', String(method === m));
            button.addEventListener('click', () => {
                method = m;
                $('amount').value = euros(Math.max(remaining, 0));
                renderPayment();
                $('amount').focus();
            });
            box.appendChild(button);
        }
        const list = $('payments');
        list.replaceChildren();
        order.payments.forEach((payment, index) => {
            const item = document.createElement('li');
            item.textContent = `${payment.name} : ${money.format(payment.amount)} `;
            item.appendChild(lineButton('✕', `Supprimer le paiement ${payment.name}`,
                () => {
                    order.payments.splice(index, 1);
                    renderPayment();
                }));
            list.appendChild(item);
        });
        $('change').textContent = '';
        $('validate').disabled = remaining !== 0;
        $('validate').textContent = remaining === 0
            ? 'Valider la vente' : 'Ajouter le paiement';
        if (remaining !== 0) {
            $('validate').disabled = !method;
        }
    }

    $('amount').addEventListener('input', () => {
        const remaining = orderTotal() - paid();
        const given = cents($('amount').value);
        if (method && method.cash && given > remaining) {
            $('change').textContent =
                `Rendu monnaie : ${money.format(euros(given - remaining))}`;
        } else {
            $('change').textContent = '';
        }
    });

    $('split').addEventListener('click', () => {
        const count = Math.max(parseInt($('parts').value || '2', 10), 2);
        const remaining = orderTotal() - paid();
        const share = Math.floor(remaining / count);
        const amounts = Array(count).fill(share);
        for (let i = 0; i < remaining - share * count; i++) {
            amounts[i] += 1;
        }
        $('split-amounts').textContent = amounts.map(
            (a) => money.format(euros(a))).join(' + ');
        $('amount').value = euros(amounts[0]);
    });

    $('validate').addEventListener('click', async () => {
        const remaining = orderTotal() - paid();
        if (remaining !== 0) {
            if (!method) {
                return;
            }
            // Cash: the customer may give more, the change is given back
            const amount = Math.min(cents($('amount').value), remaining);
            if (amount <= 0) {
                return;
            }
            const given = cents($('amount').value);
            order.payments.push({method: method.id, name: method.name,
                amount: euros(amount),
                tendered: method.cash && given > amount ? euros(given) : null});
            method = null;
            renderPayment();
            if (orderTotal() - paid() !== 0) {
                return;
            }
        }
        await checkout(order);
    });

    function pending() {
        return JSON.parse(window.localStorage.getItem(PENDING) || '[]');
    }
    function savePending(orders, quiet) {
        window.localStorage.setItem(PENDING, JSON.stringify(orders));
        if (!quiet) {
            status(orders.length
                ? `${orders.length} vente(s) en attente d'envoi` : '');
        }
    }

    function payload(o) {
        return {
            lines: o.lines.map((l) => ({product: l.product,
                quantity: String(l.quantity), note: l.note})),
            payments: o.payments.map((p) => ({method: p.method,
                amount: p.amount, tendered: p.tendered || null})),
            table: o.table, covers: o.covers, tip: o.tip,
        };
    }

    // The order is kept in the browser until the server acknowledges it;
    // the same key makes a repeated send return the sale recorded.
    async function checkout(o) {
        savePending(pending().filter((p) => p.key !== o.key).concat([o]),
            true);
        $('validate').disabled = true;
        status('Envoi de la vente…');
        try {
            const receipt = await rpc('model.sale.point.sale.till_checkout',
                [POINT, payload(o), o.key]);
            savePending(pending().filter((p) => p.key !== o.key));
            order = newOrder();
            renderOrder();
            showReceipt(receipt);
        } catch (error) {
            if (error instanceof NetworkError) {
                savePending(pending());
                $('pay-error').textContent = 'Le serveur ne répond pas : la '
                    + 'vente est gardée et sera renvoyée automatiquement.';
                order = newOrder();
                renderOrder();
                show('till-screen');
                return;
            }
            savePending(pending().filter((p) => p.key !== o.key));
            handle(error, 'pay-error');
            $('validate').disabled = false;
        }
    }

    async function flushPending() {
        for (const o of pending()) {
            try {
                await rpc('model.sale.point.sale.till_checkout',
                    [POINT, payload(o), o.key]);
                savePending(pending().filter((p) => p.key !== o.key));
            } catch (error) {
                if (error instanceof NetworkError) {
                    break;
                }
                if (error instanceof SessionExpired) {
                    handle(error, 'login-error');
                    break;
                }
                status(`Vente non enregistrée : ${error.message}`);
                savePending(pending().filter((p) => p.key !== o.key));
            }
        }
        savePending(pending());
    }
    window.setInterval(() => {
        if (catalog && pending().length) {
            flushPending();
        }
    }, 5000);

    // Receipt (80 mm when printed)
    function showReceipt(r) {
        const box = $('receipt');
        box.replaceChildren();
        const add = (tag, text, className) => {
            const element = document.createElement(tag);
            element.textContent = text;
            if (className) {
                element.className = className;
            }
            box.appendChild(element);
            return element;
        };
        add('h2', r.company);
        for (const line of r.legal) {
            add('p', line, 'small');
        }
        add('p', `${r.point} — Ticket ${r.number}`);
        add('p', `Le ${new Date(r.date).toLocaleDateString('fr-FR')} à ${r.time}`
            + (r.table ? ` — Table ${r.table}` : '')
            + (r.covers ? ` — ${r.covers} couvert(s)` : ''));
        if (r.refund_of) {
            add('p', `Remboursement du ticket ${r.refund_of}`, 'strong');
        }
        const table = document.createElement('table');
        for (const line of r.lines) {
            const row = table.insertRow();
            row.insertCell().textContent = `${line.quantity} × ${line.name}`;
            const cell = row.insertCell();
            cell.className = 'number';
            cell.textContent = money.format(line.amount);
        }
        box.appendChild(table);
        if (cents(r.tip)) {
            add('p', `Pourboire : ${money.format(r.tip)}`);
        }
        add('p', `Total TTC : ${money.format(r.total)}`, 'strong');
        add('p', `dont TVA : ${money.format(r.tax)} — Total HT : `
            + money.format(r.untaxed));
        for (const tax of r.taxes) {
            add('p', `${tax.name} : ${money.format(tax.amount)}`, 'small');
        }
        for (const payment of r.payments) {
            add('p', `${payment.method} : ${money.format(payment.amount)}`);
            if (payment.tendered) {
                add('p', `Espèces reçues ${money.format(payment.tendered)} — `
                    + `monnaie rendue ${money.format(payment.change)}`,
                    'small');
            }
        }
        add('p', `Enregistrement n° ${r.chain_number || ''} — `
            + `signature ${r.signature}`, 'small');
        add('p', 'Merci de votre visite !');
        $('receipt-pdf').href = ROOT + `pos/${POINT}/receipt/${r.id}.pdf`;
        $('receipt-pdf').setAttribute('download', `ticket-${r.number}.pdf`);
        show('receipt-screen');
    }

    $('print').addEventListener('click', () => window.print());
    $('new-sale').addEventListener('click', () => {
        if (catalog.point.restaurant) {
            renderTables();
            return;
        }
        show('till-screen');
        $('search').focus();
    });

    // Today's sales and refunds
    $('show-sales').addEventListener('click', renderSales);
    async function renderSales() {
        $('sales-error').textContent = '';
        show('sales-screen');
        let sales;
        try {
            sales = await rpc('model.sale.point.till_sales', [[POINT]]);
        } catch (error) {
            handle(error, 'sales-error');
            return;
        }
        const body = $('sales');
        body.replaceChildren();
        const cash = catalog.methods.find((m) => m.cash);
        for (const sale of sales) {
            const row = body.insertRow();
            row.insertCell().textContent = sale.number;
            row.insertCell().textContent = sale.time;
            row.insertCell().textContent = sale.table;
            const total = row.insertCell();
            total.className = 'number';
            total.textContent = money.format(sale.total);
            const actions = row.insertCell();
            actions.appendChild(lineButton('Ticket',
                `Ticket ${sale.number}`, () => showReceipt(sale)));
            if (!sale.refund_of && cents(sale.total) > 0 && cash) {
                actions.appendChild(lineButton('Rembourser',
                    `Rembourser ${sale.number} en espèces`, async () => {
                        if (!window.confirm(`Rembourser le ticket ${sale.number} `
                                + `(${money.format(sale.total)}) en espèces ?`)) {
                            return;
                        }
                        try {
                            const receipt = await rpc(
                                'model.sale.point.sale.till_refund',
                                [[sale.id], newKey(), [{method: cash.id,
                                    amount: '-' + sale.total}]]);
                            showReceipt(receipt);
                        } catch (error) {
                            handle(error, 'sales-error');
                        }
                    }));
            }
        }
    }

    // Closing of the day and its Z report
    $('show-close').addEventListener('click', () => {
        $('close-error').textContent = '';
        show('close-screen');
        $('counted').focus();
    });
    for (const button of document.querySelectorAll('.back')) {
        button.addEventListener('click', () => show('till-screen'));
    }
    $('close-form').addEventListener('submit', async (event) => {
        event.preventDefault();
        $('close-error').textContent = '';
        try {
            const closing = await rpc('model.sale.point.till_close_day',
                [[POINT], $('counted').value]);
            const report = await rpc(
                'report.ptce.pos.closing.z_report.execute',
                [[closing], {model: 'ptce.pos.closing', id: closing,
                    ids: [closing]}]);
            openReport(report);
            status('Journée clôturée.');
            show('till-screen');
        } catch (error) {
            handle(error, 'close-error');
        }
    });

    function openReport(report) {
        const [extension, content, , name] = report;
        const data = content.base64 !== undefined ? content.base64 : content;
        const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
        const type = extension === 'pdf' ? 'application/pdf'
            : 'application/octet-stream';
        const url = URL.createObjectURL(new Blob([bytes], {type: type}));
        const link = document.createElement('a');
        link.href = url;
        link.download = `${name}.${extension}`;
        document.body.appendChild(link);
        link.click();
        link.remove();
    }

    // A till left open keeps its session: try it before asking to log in
    show('login-screen');
    loadCashiers();
    if (window.sessionStorage.getItem(LOGGED)) {
        start(true);
    }
})();
