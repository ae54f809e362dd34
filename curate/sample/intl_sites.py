"""Localized site chrome for the non-English sites (de, fr, es, pl, zh, ja, ru)."""
from __future__ import annotations

from .layout import Chrome, Site

DE = Chrome(
    nav=("Startseite", "Lokales", "Politik", "Wirtschaft", "Sport", "Kultur", "Wetter"),
    cookie="Wir verwenden Cookies, um Inhalte zu personalisieren und Zugriffe zu analysieren. Sie können Ihre "
           "Einwilligung jederzeit in den Datenschutzeinstellungen widerrufen.",
    accept="Alle akzeptieren", manage="Einstellungen", most_read="Meistgelesen",
    newsletter="Der Morgen-Newsletter: die wichtigsten Nachrichten aus der Region.", subscribe="Anmelden",
    footer=("Impressum", "Datenschutz", "Kontakt", "Mediadaten", "AGB"), rights="Alle Rechte vorbehalten.",
    share="Artikel teilen", related="Mehr zum Thema", by="Von", search="Suche", skip="Zum Inhalt springen",
    comments="Kommentare", home="Startseite",
    months=("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
            "November", "Dezember"),
    date_format="{day}. {month} {year}",
)
FR = Chrome(
    nav=("Accueil", "Actualités", "Région", "Économie", "Sports", "Culture", "Météo"),
    cookie="Nous utilisons des cookies pour améliorer votre expérience, mesurer l’audience et vous proposer des "
           "contenus adaptés. Vous pouvez modifier vos choix à tout moment.",
    accept="Tout accepter", manage="Paramétrer", most_read="Les plus lus",
    newsletter="Recevez l’essentiel de l’actualité chaque matin.", subscribe="S’inscrire",
    footer=("Mentions légales", "Confidentialité", "Contact", "Publicité", "CGU"), rights="Tous droits réservés.",
    share="Partager l’article", related="À lire aussi", by="Par", search="Rechercher", skip="Aller au contenu",
    comments="Commentaires", home="Accueil",
    months=("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
            "novembre", "décembre"),
    date_format="{day} {month} {year}",
)
ES = Chrome(
    nav=("Portada", "Local", "España", "Economía", "Deportes", "Cultura", "El tiempo"),
    cookie="Utilizamos cookies propias y de terceros para mejorar nuestros servicios y mostrarle publicidad "
           "relacionada con sus preferencias. Puede cambiar la configuración en cualquier momento.",
    accept="Aceptar todo", manage="Configurar", most_read="Lo más leído",
    newsletter="Reciba cada mañana las noticias de su ciudad.", subscribe="Suscribirse",
    footer=("Aviso legal", "Privacidad", "Contacto", "Publicidad", "Política de cookies"),
    rights="Todos los derechos reservados.", share="Compartir", related="Noticias relacionadas", by="Por",
    search="Buscar", skip="Ir al contenido", comments="Comentarios", home="Portada",
    months=("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
            "noviembre", "diciembre"),
    date_format="{day} de {month} de {year}",
)
PL = Chrome(
    nav=("Strona główna", "Wiadomości", "Region", "Gospodarka", "Sport", "Kultura", "Pogoda"),
    cookie="Używamy plików cookie, aby dostosować treści i analizować ruch. Możesz zmienić ustawienia w "
           "dowolnym momencie.",
    accept="Akceptuję", manage="Ustawienia", most_read="Najczęściej czytane",
    newsletter="Zapisz się na poranny przegląd wiadomości.", subscribe="Zapisz się",
    footer=("Regulamin", "Polityka prywatności", "Kontakt", "Reklama"), rights="Wszelkie prawa zastrzeżone.",
    share="Udostępnij", related="Czytaj także", by="Autor:", search="Szukaj", skip="Przejdź do treści",
    comments="Komentarze", home="Strona główna",
    months=("stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września",
            "października", "listopada", "grudnia"),
    date_format="{day} {month} {year}",
)
ZH = Chrome(
    nav=("首页", "本地", "国内", "财经", "体育", "文化", "天气"),
    cookie="本网站使用Cookie来改善您的浏览体验并进行流量统计。继续浏览即表示您同意我们使用Cookie。",
    accept="全部接受", manage="设置", most_read="热门文章", newsletter="订阅每日早报，第一时间了解本地新闻。",
    subscribe="订阅", footer=("关于我们", "联系我们", "广告服务", "隐私政策", "网站地图"), rights="版权所有。",
    share="分享到", related="相关阅读", by="作者：", search="搜索", skip="跳到正文", comments="评论", home="首页",
    months=tuple(str(m) for m in range(1, 13)), date_format="{year}年{month}月{day}日",
)
JA = Chrome(
    nav=("トップ", "地域", "社会", "経済", "スポーツ", "文化", "天気"),
    cookie="当サイトでは、利便性の向上とアクセス解析のためにCookieを使用しています。設定はいつでも変更できます。",
    accept="同意する", manage="設定を変更", most_read="よく読まれている記事",
    newsletter="毎朝のニュースをメールでお届けします。", subscribe="登録する",
    footer=("会社概要", "お問い合わせ", "広告掲載", "プライバシーポリシー", "利用規約"), rights="無断転載を禁じます。",
    share="この記事を共有", related="関連記事", by="文：", search="検索", skip="本文へ移動", comments="コメント",
    home="トップ", months=tuple(str(m) for m in range(1, 13)), date_format="{year}年{month}月{day}日",
)
RU = Chrome(
    nav=("Главная", "Город", "Общество", "Экономика", "Спорт", "Культура", "Погода"),
    cookie="Мы используем файлы cookie, чтобы сайт работал удобнее. Продолжая пользоваться сайтом, вы "
           "соглашаетесь с их использованием.",
    accept="Принять", manage="Настроить", most_read="Самое читаемое",
    newsletter="Подпишитесь на утреннюю рассылку новостей.", subscribe="Подписаться",
    footer=("О редакции", "Контакты", "Реклама", "Политика конфиденциальности"), rights="Все права защищены.",
    share="Поделиться", related="Читайте также", by="Автор:", search="Поиск", skip="Перейти к содержанию",
    comments="Комментарии", home="Главная",
    months=("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
            "ноября", "декабря"),
    date_format="{day} {month} {year} г.",
)

SITES = {
    "de": Site("www.beispielstadt-tageblatt.example", "Beispielstädter Tageblatt", "de", "modern", DE),
    "de-books": Site("www.xn--bcher-kva.example", "Bücherstube am Markt", "de", "blog", DE, "Lesetipps aus der Buchhandlung"),
    "fr": Site("www.lepetitquotidien.example", "Le Petit Quotidien", "fr", "divs", FR),
    "es": Site("www.diario-villaejemplo.example", "Diario de Villaejemplo", "es", "modern", ES),
    "pl": Site("gazeta-przykladowa.example", "Gazeta Przykładowa", "pl", "modern", PL),
    "zh": Site("www.shili-ribao.example", "示例日报", "zh", "divs", ZH),
    "ja": Site("www.sample-shimbun.example", "サンプル新聞", "ja", "modern", JA),
    "ru": Site("primer-vesti.example", "Примерные вести", "ru", "divs", RU),
}
