"""Short original articles in German, French, Spanish, Polish, Chinese, Japanese and Russian.

Each entry names its site, the charset its bytes are encoded in and where that charset is
declared; several legacy-encoded pages declare nothing, so encoding detection has work to do.
"""
from __future__ import annotations

from dataclasses import dataclass

from .article import Article as A


@dataclass(frozen=True)
class Foreign:
    """An article on a localized site, with its byte encoding and charset declaration."""

    site: str
    article: A
    encoding: str = "utf-8"
    declared: str = "both"


F = Foreign
GERMAN = (
    F("de", A("radweg-am-kanal", "lokales", "Neuer Radweg entlang des Kanals freigegeben", "Erika Mustermann", (
        "Nach knapp zwei Jahren Bauzeit ist der Radweg zwischen dem Hafenbecken und der Schleuse Nord freigegeben "
        "worden. Die vier Kilometer lange Strecke verläuft direkt am Wasser und ersetzt einen holprigen Schotterweg, "
        "auf dem sich Radfahrer und Spaziergänger bisher ständig in die Quere kamen.",
        "Der neue Weg ist asphaltiert, drei Meter breit und nachts beleuchtet. An zwei Stellen wurden Rastplätze mit "
        "Bänken und Fahrradbügeln eingerichtet. Die Stadt hofft, dass mehr Pendler künftig mit dem Rad zur Arbeit "
        "ins Gewerbegebiet fahren.",
        "Kritik gibt es von Anglern, die sich einen besseren Zugang zum Ufer gewünscht hätten. Die Verwaltung "
        "kündigte an, im Herbst drei zusätzliche Angelstege zu prüfen.",
      ), ("Verkehr", "Radfahren"))),
    F("de", A("wochenmarkt-hitze", "wirtschaft", "Wochenmarkt: Erzeuger spüren die Trockenheit", "Max Mustermann", (
        "Auf dem Wochenmarkt am Rathausplatz sind Salat und Erdbeeren in diesem Sommer knapper als sonst. Mehrere "
        "Gemüsebauern aus dem Umland berichten, dass sie ihre Felder seit Wochen künstlich bewässern müssen.",
        "»Wir gießen morgens um fünf, damit möglichst wenig Wasser verdunstet«, sagt eine Gärtnerin, die seit "
        "zwanzig Jahren einen Stand am Markt betreibt. Trotzdem seien die Köpfe kleiner geworden.",
        "Die Preise sind bislang nur leicht gestiegen. Viele Kundinnen und Kunden kaufen bewusst regional ein und "
        "nehmen dafür auch kleinere Früchte in Kauf.",
      ), ("Landwirtschaft",)), "iso-8859-1", "http-equiv"),
    F("de", A("kartoffelsuppe", "kultur", "Kartoffelsuppe wie früher: ein einfaches Rezept", "Erika Mustermann", (
        "Wenn es draußen kalt wird, gibt es bei uns Kartoffelsuppe. Sie braucht wenige Zutaten und schmeckt am "
        "zweiten Tag fast noch besser.",
        "Eine Zwiebel, zwei Möhren und ein Stück Sellerie würfeln und in etwas Butter andünsten. Ein Kilo mehlig "
        "kochende Kartoffeln schälen, klein schneiden und dazugeben. Mit einem Liter Gemüsebrühe auffüllen und etwa "
        "zwanzig Minuten köcheln lassen.",
        "Die Hälfte der Suppe pürieren, damit sie sämig wird, aber noch Stücke enthält. Mit Salz, Pfeffer, Muskat "
        "und frischem Majoran abschmecken. Wer mag, gibt ein paar angebratene Würstchenscheiben hinein.",
      ), ("Rezept", "Kochen")), "utf-8", "header"),
    F("de-books", A("lesetipps-herbst", "buecher", "Unsere Lesetipps für lange Herbstabende", "Max Mustermann", (
        "Der Herbst ist die beste Jahreszeit zum Lesen. Wir haben im Team gesammelt, welche Bücher uns in den "
        "letzten Monaten nicht mehr losgelassen haben.",
        "Ganz oben auf der Liste steht ein Familienroman über drei Generationen einer Fischerfamilie an der Ostsee, "
        "erzählt aus der Sicht der jüngsten Tochter. Wer lieber Sachbücher liest, findet bei uns eine gut lesbare "
        "Geschichte der Landkarte, vom Papyrus bis zum Satellitenbild.",
        "Für Kinder ab acht Jahren empfehlen wir eine Abenteuerreihe über einen Dachs, der eine Bibliothek im Wald "
        "eröffnet. Alle Titel liegen im Laden aus und können auch telefonisch bestellt werden.",
      ), ("Bücher",)), "utf-8", "header"),
    F("de", A("trainer-gesucht", "sport", "Sportverein sucht ehrenamtliche Übungsleiter", "Max Mustermann", (
        "Der Turn- und Sportverein Beispielstadt kann die Nachfrage nach Kinderturnen kaum noch bedienen. Für die "
        "Gruppen der Vier- bis Sechsjährigen gibt es inzwischen eine Warteliste mit über sechzig Namen.",
        "Gesucht werden Eltern, Studierende oder Rentner, die einmal pro Woche eine Stunde Zeit haben. Der Verein "
        "übernimmt die Kosten für die Übungsleiterlizenz und zahlt eine kleine Aufwandsentschädigung.",
        "Interessierte können sich beim Schnuppertraining am Samstagvormittag in der Halle an der Schillerstraße "
        "ein Bild machen.",
      ), ("Verein", "Ehrenamt"))),
)

FRENCH = (
    F("fr", A("marche-couvert-rouvre", "region", "Le marché couvert rouvre ses portes après dix-huit mois de travaux",
      "Jean Dupont", (
        "Les habitués l’attendaient depuis longtemps : le marché couvert de la place de la Halle a rouvert samedi "
        "matin, après dix-huit mois de travaux de rénovation.",
        "La charpente métallique du XIXe siècle a été entièrement restaurée et la verrière remplacée. Les étals, "
        "eux, ont été redessinés pour faciliter le passage des poussettes et des fauteuils roulants.",
        "Une trentaine de commerçants se sont installés, dont plusieurs nouveaux venus : un fromager, une "
        "torréfactrice de café et un maraîcher bio. La mairie prévoit une nocturne chaque premier vendredi du mois.",
      ), ("Commerce",))),
    F("fr", A("cm2-plante-une-haie", "region", "Des élèves de CM2 plantent une haie de cinq cents arbustes",
      "Marie Durand", (
        "Bêches à la main et bottes aux pieds, les vingt-six élèves de la classe de CM2 de l’école des Tilleuls "
        "ont planté jeudi une haie de cinq cents arbustes en bordure d’un champ communal.",
        "Noisetiers, aubépines, cornouillers et églantiers : toutes les essences ont été choisies avec un "
        "technicien de la chambre d’agriculture pour offrir abri et nourriture aux oiseaux et aux insectes.",
        "Les enfants suivront la croissance de « leur » haie jusqu’à la fin de l’année scolaire et mesureront "
        "les plants chaque mois.",
      ), ("École", "Environnement")), "utf-8", "meta"),
    F("fr", A("tarte-aux-pommes", "culture", "La tarte aux pommes de ma grand-mère", "Marie Durand", (
        "Chez nous, la tarte aux pommes du dimanche était une institution. Voici la recette telle que ma "
        "grand-mère me l’a transmise, à peine modifiée.",
        "Pour la pâte brisée, mélangez du bout des doigts 250 g de farine, 125 g de beurre froid coupé en dés et "
        "une pincée de sel, puis ajoutez un œuf et un peu d’eau froide. Laissez reposer la boule une heure au frais.",
        "Étalez la pâte, garnissez-la d’une compote maison, puis disposez en rosace des lamelles de pommes bien "
        "fermes. Saupoudrez de sucre, parsemez de noisettes de beurre et faites cuire quarante minutes à 180 °C.",
        "Le secret ? Des pommes de variétés différentes : l’une acidulée, l’autre plus sucrée. Bon appétit !",
      ), ("Recette", "Pâtisserie")), "windows-1252", "none"),
    F("fr", A("festival-theatre-amateur", "culture", "Le festival de théâtre amateur fête sa vingtième édition",
      "Jean Dupont", (
        "Pendant une semaine, douze troupes venues de toute la région se succéderont sur la scène de la salle "
        "des fêtes pour la vingtième édition du festival de théâtre amateur.",
        "Au programme : des comédies de boulevard, une adaptation très libre de Molière et même une pièce écrite "
        "par les résidents de la maison de retraite, qui monteront eux-mêmes sur les planches.",
        "« Le théâtre amateur, c’est d’abord le plaisir de jouer ensemble », rappelle la présidente de "
        "l’association organisatrice. L’entrée reste libre, avec une participation au chapeau.",
      ), ("Théâtre",)), "windows-1252", "none"),
    F("fr", A("economiser-energie-hiver", "economie", "Cinq gestes simples pour économiser l’énergie cet hiver",
      "Marie Durand", (
        "Avec la hausse des prix de l’énergie, chaque degré compte. Baisser le chauffage de 20 à 19 °C permet "
        "d’économiser environ sept pour cent sur la facture.",
        "Fermer les volets la nuit, dépoussiérer les radiateurs et purger ceux qui gargouillent sont des gestes "
        "qui ne coûtent rien. Un boudin de porte suffit souvent à supprimer un courant d’air gênant.",
        "Enfin, pensez à régler le chauffe-eau : 55 °C suffisent largement pour un usage domestique.",
      ), ("Énergie",))),
)

SPANISH = (
    F("es", A("bicicletas-publicas", "local", "El ayuntamiento amplía la red de bicicletas públicas", "Juan Pérez", (
        "El servicio municipal de bicicletas compartidas sumará doce nuevas estaciones antes del verano, la "
        "mayoría en los barrios del norte, que hasta ahora quedaban fuera de la red.",
        "Con la ampliación, la flota pasará de trescientas a cuatrocientas cincuenta bicicletas, de las cuales un "
        "tercio serán eléctricas. El abono anual mantendrá su precio y seguirá siendo gratuito para estudiantes.",
        "Las asociaciones vecinales celebran la medida, aunque reclaman más carriles bici protegidos. «Sin carriles "
        "seguros, muchas familias no se atreven a usar la bici», señala un portavoz.",
      ), ("Movilidad",))),
    F("es", A("tortilla-de-patatas", "cultura", "Cómo hacer una tortilla de patatas jugosa", "Fulano de Tal", (
        "La tortilla de patatas parece sencilla, pero cada casa tiene su truco. Este es el nuestro, probado durante "
        "años de cenas familiares.",
        "Pela un kilo de patatas y córtalas en láminas finas. Fríelas a fuego medio en abundante aceite de oliva con "
        "una cebolla picada, sin que lleguen a dorarse, durante unos veinte minutos.",
        "Escurre bien el aceite y mezcla las patatas con seis huevos batidos y sal. Deja reposar la mezcla diez "
        "minutos: ese es el secreto para que quede jugosa. Cuaja la tortilla en una sartén caliente y dale la vuelta "
        "con ayuda de un plato.",
      ), ("Receta",)), "utf-8", "meta"),
    F("es", A("huerto-urbano", "local", "Un grupo de vecinos recupera un solar como huerto urbano", "Juan Pérez", (
        "Lo que durante años fue un solar lleno de escombros es hoy un huerto con cuarenta parcelas, un compostador "
        "comunitario y un pequeño invernadero construido con ventanas recicladas.",
        "La iniciativa partió de una asociación de vecinos que firmó un convenio de cesión con el ayuntamiento. Las "
        "parcelas se reparten por sorteo y una parte se reserva para el colegio del barrio.",
        "Los hortelanos se reúnen el primer sábado de cada mes para decidir los trabajos comunes.",
      ), ("Barrio",))),
    F("es", A("talleres-lectura", "cultura", "La biblioteca municipal organiza talleres de lectura para niños",
      "Fulano de Tal", (
        "La biblioteca municipal ofrecerá todos los miércoles por la tarde talleres de lectura en voz alta para "
        "niños de entre seis y diez años.",
        "Cada sesión gira en torno a un libro ilustrado y termina con una actividad de dibujo o teatro. Las plazas "
        "son limitadas y gratuitas, y la inscripción puede hacerse en el mostrador de préstamo.",
        "Según la directora, el objetivo es que los niños descubran la biblioteca como un lugar de encuentro y no "
        "solo de estudio.",
      ), ("Biblioteca",))),
    F("es", A("viajar-en-tren", "espana", "Consejos para viajar en tren por la península", "Juan Pérez", (
        "Viajar en tren es una forma cómoda de recorrer el país sin preocuparse por el aparcamiento. Comprar los "
        "billetes con antelación suele abaratar mucho el precio, sobre todo en las líneas de alta velocidad.",
        "Para trayectos largos conviene llevar agua, algo de comida y una chaqueta, porque el aire acondicionado "
        "suele estar fuerte. En los regionales, las vistas compensan la lentitud.",
      ), ("Viajes",)), "utf-8", "none"),
)

POLISH = (
    F("pl", A("nowy-przystanek-kolejowy", "region", "Nowy przystanek kolejowy skróci dojazdy do miasta",
      "Jan Kowalski", (
        "Od grudnia pociągi regionalne będą zatrzymywać się na nowym przystanku przy osiedlu Zielone Wzgórze. "
        "Mieszkańcy od lat prosili o połączenie, które pozwoli im dojechać do centrum bez przesiadek.",
        "Peron ma sto pięćdziesiąt metrów długości, jest zadaszony i dostosowany do potrzeb osób z "
        "niepełnosprawnościami. Obok powstał parking dla rowerów na sześćdziesiąt miejsc.",
        "Przejazd do dworca głównego zajmie dziewięć minut, czyli ponad dwa razy krócej niż autobusem.",
      ), ("Kolej",))),
    F("pl", A("pierogi-ruskie", "kultura", "Przepis na pierogi ruskie jak u babci", "Anna Nowak", (
        "Pierogi ruskie to danie, bez którego trudno wyobrazić sobie rodzinny obiad. Do farszu potrzebujemy "
        "kilograma ugotowanych ziemniaków, pół kilograma twarogu i dwóch dużych cebul zeszklonych na maśle.",
        "Ciasto zagniatamy z pół kilograma mąki, szklanki ciepłej wody i łyżki oleju. Wałkujemy je cienko, "
        "wycinamy krążki szklanką, nakładamy farsz i dokładnie sklejamy brzegi.",
        "Pierogi gotujemy w osolonej wodzie około trzech minut od wypłynięcia. Podajemy ze skwarkami lub "
        "podsmażoną cebulką.",
      ), ("Przepis",))),
    F("pl", A("jubileusz-szkoly-muzycznej", "kultura", "Szkoła muzyczna świętuje pięćdziesięciolecie", "Jan Kowalski", (
        "Państwowa szkoła muzyczna obchodzi w tym roku pięćdziesiąt lat istnienia. Z tej okazji uczniowie i "
        "absolwenci przygotowali cykl koncertów, które odbędą się w sali kameralnej domu kultury.",
        "W programie znajdą się utwory Chopina i Moniuszki, ale także kompozycje współczesne napisane przez "
        "nauczycieli szkoły. Wstęp na wszystkie koncerty jest bezpłatny.",
        "Dyrektorka szkoły podkreśla, że przez pół wieku placówkę ukończyło ponad dwa tysiące uczniów.",
      ), ("Muzyka",)), "iso-8859-2", "meta"),
    F("pl", A("sprzatanie-lasu", "region", "Wolontariusze posprzątali podmiejski las", "Anna Nowak", (
        "Ponad dwustu wolontariuszy wzięło udział w sobotniej akcji sprzątania lasu na obrzeżach miasta. Zebrano "
        "kilkadziesiąt worków śmieci, stare opony, a nawet porzuconą lodówkę.",
        "Leśnicy apelują, by nie wyrzucać odpadów w lesie i zgłaszać dzikie wysypiska. Akcja zostanie powtórzona "
        "jesienią.",
      ), ("Ekologia",))),
    F("pl", A("oszczedzanie-wody-w-ogrodzie", "region", "Jak oszczędzać wodę w ogrodzie", "Anna Nowak", (
        "Podczas upałów zużycie wody w ogrodach gwałtownie rośnie. Warto podlewać rośliny wcześnie rano lub "
        "wieczorem, kiedy woda wolniej paruje.",
        "Deszczówka zbierana z rynny do beczki świetnie nadaje się do podlewania. Ściółka z kory lub skoszonej "
        "trawy ogranicza parowanie i hamuje wzrost chwastów.",
        "Trawnik nie musi być idealnie zielony przez całe lato; po deszczu szybko się regeneruje.",
      ), ("Ogród",)), "utf-8", "none"),
)

CHINESE = (
    F("zh", A("gongyuan-chongxin-kaifang", "bendi", "城市公园改造完成，重新向市民开放", "张三", (
        "经过一年多的改造，位于城东的人民公园于本周六重新向市民开放。改造后的公园增加了两千多平方米的绿地，并新建了"
        "一条环湖步道和一个儿童游乐区。",
        "公园管理处负责人介绍，这次改造保留了园内所有的老树，并对湖水进行了清淤。湖边新设了多处座椅和饮水点，方便老人"
        "和带孩子的家庭休息。",
        "不少市民一早就来到公园散步、打太极。一位住在附近的居民说，以前湖边的小路坑坑洼洼，现在走起来舒服多了。",
      ), ("公园", "城市建设"))),
    F("zh", A("xihongshi-chao-jidan", "wenhua", "家常菜：西红柿炒鸡蛋的做法", "李四", (
        "西红柿炒鸡蛋是很多人学会的第一道菜，做法简单，但想做得好吃也有一些小窍门。",
        "先把三个鸡蛋打散，加一点盐。两个西红柿洗净切块。锅里放油，油热后倒入蛋液，炒到刚刚凝固就盛出来。",
        "锅里再加少许油，放入西红柿翻炒，加一小勺糖中和酸味，炒出汤汁后倒回鸡蛋，翻炒均匀，撒上葱花即可出锅。",
        "鸡蛋不要炒太老，这样才能保持嫩滑。配一碗米饭，就是一顿简单又满足的晚餐。",
      ), ("菜谱",)), "gbk", "none"),
    F("zh", A("shequ-tushuguan-yuedu", "wenhua", "社区图书馆举办周末亲子阅读活动", "张三", (
        "本月起，幸福社区图书馆每个周末上午都会举办亲子阅读活动，欢迎三到八岁的儿童和家长参加。",
        "活动由志愿者老师带领，每次选择一本绘本，先由老师讲故事，再请孩子们用画画或表演的方式说出自己的感受。",
        "图书馆还新增了三百多册儿童图书，居民凭借阅证可以免费借阅。",
      ), ("阅读",))),
    F("zh", A("chunji-yangsheng", "shenghuo", "春季生活小贴士：早睡早起多运动", "李四", (
        "春天气温变化大，早晚温差明显，外出时最好多带一件外套，不要过早减少衣服。",
        "饮食上可以多吃新鲜蔬菜和水果，少吃油腻食物。每天保持适量运动，比如散步、骑车或者做操，有助于增强体质。",
        "另外，要保证充足的睡眠。专家建议成年人每天睡七到八个小时，晚上尽量不要熬夜。",
      ), ("生活",)), "gb2312", "meta"),
    F("zh", A("laojie-gaizao", "bendi", "老街改造完成，居民喜迎新面貌", "张三", (
        "历时八个月的老街改造工程日前完工。改造中，施工方修复了沿街的青砖墙面和木质门窗，并把杂乱的电线全部埋入地下。",
        "街道两旁的老字号店铺陆续重新开业。一家开了四十多年的面馆老板说，改造后来吃面的年轻人明显多了。",
      ), ("城市更新",)), "utf-8", "none"),
)

JAPANESE = (
    F("ja", A("shotengai-aki-matsuri", "chiiki", "駅前商店街で秋祭り、三年ぶりに山車が巡行", "山田太郎", (
        "駅前商店街で週末、恒例の秋祭りが開かれ、三年ぶりに山車の巡行が行われた。沿道には家族連れなど多くの人が集まり、"
        "太鼓や笛の音に合わせて手拍子を送った。",
        "商店街の振興組合によると、山車は明治時代に作られたもので、今年の夏に地元の職人が車輪と屋根を修理した。"
        "巡行には地元の小中学生も参加し、綱を引いて通りを練り歩いた。",
        "組合の理事長は「にぎわいが戻ってきてうれしい。来年はもっと多くの店に参加してもらいたい」と話した。",
      ), ("祭り", "地域"))),
    F("ja", A("nikujaga-recipe", "kurashi", "簡単レシピ：ほっとする肉じゃがの作り方", "佐藤花子", (
        "肉じゃがは、家庭料理の定番です。少ない材料で作れて、作り置きにも向いています。",
        "じゃがいも三個は皮をむいて大きめに切り、水にさらします。玉ねぎ一個はくし形に、にんじん一本は乱切りにします。",
        "鍋に油を熱して牛肉を炒め、色が変わったら野菜を加えます。だし、砂糖、みりん、しょうゆを入れて落としぶたをし、"
        "弱火で十五分ほど煮込みます。",
        "火を止めてしばらく置くと、味がしっかりしみておいしくなります。",
      ), ("レシピ",)), "shift_jis", "none"),
    F("ja", A("kawazoi-yuhodo", "chiiki", "川沿いの遊歩道が完成、桜並木を楽しめる散歩道に", "山田太郎", (
        "市が整備を進めてきた川沿いの遊歩道が完成し、先週末に開通式が行われた。全長は約二キロで、両側には約百本の"
        "桜が植えられている。",
        "遊歩道には休憩用のベンチや案内板が設けられ、夜間は足元を照らす照明がつく。市の担当者は「通勤や散歩など、"
        "日常的に使ってほしい」と話している。",
      ), ("まちづくり",)), "euc-jp", "meta"),
    F("ja", A("programming-jugyo", "shakai", "小学校でプログラミングの授業始まる", "佐藤花子", (
        "市内の小学校で、五年生を対象にしたプログラミングの授業が始まった。児童たちはタブレット端末を使い、画面上の"
        "キャラクターを動かす簡単なプログラムを作った。",
        "授業では、命令を並べる順番を考えたり、同じ動きを繰り返す方法を試したりしながら、筋道を立てて考える力を育てる。"
        "担任の教員は「うまくいかないときに原因を探す姿が頼もしい」と話した。",
      ), ("教育",))),
    F("ja", A("tsuyu-sentaku", "kurashi", "梅雨の時期の洗濯、部屋干しのコツ", "佐藤花子", (
        "梅雨の時期は洗濯物が乾きにくく、部屋干しのにおいが気になるという人も多いのではないでしょうか。",
        "洗濯物の間隔をこぶし一つ分ほど空けて干し、扇風機やエアコンの除湿機能で風を当てると、乾く時間が大きく短くなります。"
        "厚手のものは外側、薄手のものは内側に干すのもポイントです。",
        "洗濯が終わったらすぐに干すことも大切です。洗濯機の中に長く置くと、においの原因になります。",
      ), ("暮らし",)), "utf-8", "header"),
)

RUSSIAN = (
    F("ru", A("novyi-katok", "gorod", "В центральном парке открылся новый каток", "Иван Иванов", (
        "В выходные в центральном парке открылся крытый каток с искусственным льдом. В первый же день на лёд вышли "
        "несколько сотен горожан, среди них много семей с детьми.",
        "Каток работает ежедневно с десяти утра до десяти вечера. Коньки можно взять напрокат, а для малышей "
        "предусмотрены специальные опоры. По утрам в будние дни лёд отдают школьным секциям.",
        "Администрация парка обещает, что цены на вход останутся прежними до конца сезона.",
      ), ("Спорт", "Досуг"))),
    F("ru", A("borsch-po-domashnemu", "obshchestvo", "Рецепт: домашний борщ", "Пётр Петров", (
        "Хороший борщ готовится не спеша. Сначала сварите бульон из говядины на косточке, это займёт около двух часов.",
        "Свёклу натрите на крупной тёрке и потушите с ложкой уксуса, чтобы она сохранила цвет. Отдельно обжарьте лук "
        "и морковь. Картофель и капусту опустите в бульон, через десять минут добавьте овощи и свёклу.",
        "Дайте борщу настояться хотя бы полчаса. Подавайте со сметаной, зеленью и чёрным хлебом.",
      ), ("Рецепты",)), "windows-1251", "header"),
    F("ru", A("alleya-iz-lip", "obshchestvo", "Школьники высадили липовую аллею", "Иван Иванов", (
        "Ученики седьмых классов школы номер пять высадили сорок молодых лип вдоль улицы Садовой. Саженцы "
        "предоставило городское лесничество.",
        "Каждый класс взял шефство над своим участком аллеи: ребята будут поливать деревья летом и следить за их "
        "состоянием. Учитель биологии рассказал, что липа хорошо переносит городской воздух и живёт очень долго.",
      ), ("Экология",)), "koi8-r", "none"),
    F("ru", A("kursy-dlya-pensionerov", "obshchestvo", "Библиотека учит пенсионеров пользоваться компьютером",
      "Пётр Петров", (
        "В районной библиотеке начались бесплатные курсы компьютерной грамотности для людей старшего возраста. "
        "Занятия проходят дважды в неделю в небольших группах.",
        "Слушатели учатся пользоваться электронной почтой, записываться к врачу через интернет и отличать "
        "мошеннические сообщения от настоящих. Многие признаются, что раньше боялись даже включить компьютер.",
      ), ("Образование",))),
    F("ru", A("dacha-k-zime", "obshchestvo", "Как подготовить дачу к зиме", "Иван Иванов", (
        "Осенью важно успеть слить воду из труб и бочек, иначе мороз может их разорвать. Садовый инвентарь лучше "
        "почистить и убрать в сухое место.",
        "Молодые деревья стоит укрыть от мороза и защитить стволы от грызунов сеткой. Многолетние цветы мульчируют "
        "опавшими листьями или торфом.",
      ), ("Дача",)), "utf-8", "meta"),
)

FOREIGN = GERMAN + FRENCH + SPANISH + POLISH + CHINESE + JAPANESE + RUSSIAN
