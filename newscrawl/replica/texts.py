"""Word lists and sentence templates the replica draws its fake stories and tags from."""

from __future__ import annotations

# --- hashtags ---------------------------------------------------------------------------------

# The first ones are the tags the brief and the evidence name; the rest are generated on demand.
FIXED_TAGS_EN = (
    "Pakistan-UKCounterTerrorismDialogue",
    "Saco",
    "Prince&Knight",
    "GazaCeasefire",
    "OilPrices",
    "Expo-City-Dubai",
    "ClimateAction",
    "AIRegulation",
)
TAG_WORDS_EN_A = (
    "Gulf", "Riyadh", "Dubai", "Global", "Tech", "Green", "Desert", "Royal", "Cairo", "Doha",
    "Karachi", "Lahore", "Muscat", "Amman", "Solar", "Digital", "Urban", "Future", "Ocean", "Space",
)  # fmt: skip
TAG_WORDS_EN_B = (
    "Summit", "Markets", "Festival", "League", "Forum", "Startups", "Elections", "Health",
    "Energy", "Tourism", "Fashion", "Cinema", "Cricket", "Football", "Rail", "Housing",
    "Banking", "Water", "Food", "Jobs",
)  # fmt: skip
TAG_SUFFIXES_EN = ("", "2025", "-Live", "Week", "-Talks")

FIXED_TAGS_AR = (
    "باكستان",
    "السعودية",
    "كأس_العالم",
    "الإمارات",
    "أسعار_النفط",
    "غزة",
)
TAG_WORDS_AR_A = (
    "قمة", "سوق", "مهرجان", "دوري", "منتدى", "انتخابات", "صحة", "طاقة", "سياحة", "تقنية",
    "إسكان", "مصارف", "مياه", "غذاء", "وظائف", "سينما", "كرة_القدم", "نقل", "تعليم", "فضاء",
)  # fmt: skip
TAG_WORDS_AR_B = (
    "الرياض", "دبي", "القاهرة", "الدوحة", "الخليج", "عمان", "بيروت", "الرباط", "تونس",
    "الكويت", "مسقط", "جدة", "المنامة", "أبوظبي", "الشارقة", "كراتشي", "لاهور", "بغداد",
    "الجزائر", "الخرطوم",
)  # fmt: skip
TAG_SUFFIXES_AR = ("", "_2025", "_مباشر", "_اليوم", "_عاجل")

# Tags that a related-hashtags block links to but that the site does not have (they 404).
MISSING_TAG = {"en": "MohsinNaqvi", "ar": "مكافحة_الإرهاب"}

# --- publishers and categories ----------------------------------------------------------------

# publisher -> how its own site's story URLs look (a distractor link on some cards)
PUBLISHERS = {
    "en": {
        "Arab News": "https://www.arabnews.com/node/{n}",
        "Dawn": "https://www.dawn.com/news/{n}",
        "Yahoo": "https://news.yahoo.com/story-{n}.html",
        "Daily Record": "https://www.dailyrecord.co.uk/news/article-{n}",
        "Gulf News": "https://gulfnews.com/world/story-{n}",
        "Khaleej Times": "https://www.khaleejtimes.com/world/{n}",
        "The National": "https://www.thenationalnews.com/news/{n}",
        "Al Arabiya English": "https://english.alarabiya.net/News/{n}",
    },
    "ar": {
        "عرب نيوز": "https://www.arabnews.com/node/{n}",
        "الشرق الأوسط": "https://aawsat.com/node/{n}",
        "الخليج": "https://www.alkhaleej.ae/{n}",
        "البيان": "https://www.albayan.ae/{n}",
        "العربية": "https://www.alarabiya.net/{n}",
        "سكاي نيوز عربية": "https://www.skynewsarabia.com/{n}",
    },
}
CATEGORIES = {
    "en": ("Politics", "Business", "Entertainment", "Health"),
    "ar": ("سياسة", "اقتصاد", "ترفيه", "صحة"),
}

# --- titles -----------------------------------------------------------------------------------

COUNTRIES_EN = (
    "Pakistan", "the UK", "Saudi Arabia", "the UAE", "Egypt", "Qatar", "Jordan", "Oman",
    "Kuwait", "Bahrain", "Morocco", "Iraq", "Turkey", "India", "China", "France", "Japan",
    "Indonesia", "Malaysia", "Kenya",
)  # fmt: skip
TOPICS_EN = (
    "counterterrorism", "trade", "energy", "security", "food security", "tourism", "climate",
    "healthcare", "education", "investment", "shipping", "aviation", "water", "cybersecurity",
    "AI", "mining", "space", "sport", "culture", "digital payments",
)  # fmt: skip
PEOPLE_EN = (
    "Omar Haddad", "Layla Mansour", "Imran Qureshi", "Nadia Farouk", "Karim Aziz", "Hana Saleh",
    "Tariq Malik", "Rania Khoury", "Yousef Nasser", "Aisha Rahman", "Daniel Brooks",
    "Emily Carter", "Ahmed Siddiqui", "Mariam Youssef", "James Holloway",
)  # fmt: skip
CITIES_EN = (
    "Dubai", "Riyadh", "Islamabad", "London", "Cairo", "Doha", "Amman", "Muscat", "Karachi",
    "Jeddah", "Abu Dhabi", "Manama", "Rabat", "Lahore", "Glasgow",
)  # fmt: skip
COMPANIES_EN = (
    "Hadid & Sons", "Noor Capital", "Sahara Logistics", "Falcon Air", "Oasis Foods",
    "Crescent Telecom", "Dune & Co", "Atlas Mining", "Pearl Bank", "Mirage Media",
    "Qamar Energy", "Nile Textiles", "Zayna Health", "Orbit Pay", "Harbor & Hill",
)  # fmt: skip
EVENTS_EN = (
    "record quarterly profit", "a surprise rate cut", "a new Gulf contract",
    "a merger with a rival", "a dividend increase", "weak guidance", "a cyberattack",
    "a CEO change", "an IPO filing", "a regulatory probe",
)  # fmt: skip

# Each template: (title, leads). A story's excerpt opens with one of the leads, drawn per story.
# Slots name the word lists in SLOTS_EN; "C2" is "another country than C1" and is handled by
# the generator. A lead's other slots ({Weekday}, {Org}...) are filled like the filler's
# (below), so that stories of one template do not all open with the same words.
TEMPLATES_EN = (
    (
        "{C1} and {C2} discuss {T} cooperation in {City}",
        (
            "{CITY}: {C1} and {C2} held {T} talks in {City} on {Weekday}.",
            "{CITY}: Officials from {C1} and {C2} met in {City} on {Weekday} to discuss {T}.",
            "{CITY}: {C1}'s {Role} met a {C2} delegation in {City} for {T} talks.",
        ),
    ),
    (
        "{P} meets {C1} envoy to review {T} plans",
        (
            "{CITY}: {P} and the {C1} envoy reviewed {T} plans on {Weekday}.",
            "{CITY}: {P} hosted {C1} ambassador {P2} on {Weekday} to review {T} plans.",
            "{CITY}: {P} and {C1}'s envoy {P2} reviewed {T} plans.",
        ),
    ),
    (
        "{Co} shares jump {N}% in {City} after {E}",
        (
            "{CITY}: Shares of {Co} rose {N}% on {Weekday} after {E}, brokers said.",
            "{CITY}: {Co} stock gained {N}% by {Weekday} close after {E}, traders said.",
            "{CITY}: Investors sent {Co} up {N}% on {Weekday} after {E}.",
        ),
    ),
    (
        "{City} to host {T} summit as {C1} confirms attendance",
        (
            "{CITY}: {C1} will send {Role} {P} to the {T} summit in {City}.",
            "{CITY}: The {T} summit in {City} will include {C1}, organisers told {Media}.",
            "{CITY}: {C1} named {Cnt} delegates for {City}'s {T} summit, {Org} said.",
        ),
    ),
    (
        "'{T} is our priority', says {P} in {City}",
        (
            '{CITY}: "{T} is our priority," {P} told {Media} on {Weekday}.',
            '{CITY}: {T} is "our priority," {P} told {Media} in {City}.',
        ),
    ),
    (
        "{C1} inflation stays < {N}% as {T} costs ease",
        (
            "{CITY}: Inflation in {C1} stayed below {N}% in {Month} as {T} costs eased.",
            "{CITY}: Data from {Org} put {C1} inflation below {N}% in {Month}, with {T} costs"
            " down.",
        ),
    ),
    (
        "How {T} could reshape {City} by 2030, according to {P}",
        (
            "{CITY}: {P} told {Media} on {Weekday} how {T} could change {City} before 2030.",
            "{CITY}: {T} could transform {City} by 2030, {P} of {Org} said.",
        ),
    ),
    (
        "{P} & {Q} named to lead {C1} {T} task force",
        (
            "{CITY}: {P} and {Q} will head {C1}'s new {T} task force, {Org} said.",
            "{CITY}: {C1} picked {P} and {Q} on {Weekday} to head {T} efforts.",
        ),
    ),
    (
        "{City} residents react to new {T} rules from {Co}",
        (
            "{CITY}: {City} residents posted {K} comments on {Weekday} about {Co}'s new {T} rules.",
            "{CITY}: New {T} rules from {Co} drew {Cnt} complaints in {City} by {Weekday}.",
        ),
    ),
    (
        "Five things to know about the {T} plan of {C1} and {C2}",
        (
            "{CITY}: {C1} and {C2} signed a {T} plan of {Cnt} pages in {City2} on {Weekday}.",
            "{CITY}: {C1} and {C2} agreed a {T} plan on {Weekday} worth {Cur}{X} billion.",
        ),
    ),
)
SLOTS_EN = {
    "C1": COUNTRIES_EN,
    "T": TOPICS_EN,
    "P": PEOPLE_EN,
    "Q": PEOPLE_EN,
    "City": CITIES_EN,
    "Co": COMPANIES_EN,
    "E": EVENTS_EN,
    "N": tuple(str(n) for n in range(2, 20)),
}

COUNTRIES_AR = (
    "باكستان", "بريطانيا", "السعودية", "الإمارات", "مصر", "قطر", "الأردن", "عُمان", "الكويت",
    "البحرين", "المغرب", "العراق", "تركيا", "الهند", "الصين", "فرنسا", "اليابان", "إندونيسيا",
    "ماليزيا", "كينيا",
)  # fmt: skip
TOPICS_AR = (
    "مكافحة الإرهاب", "التجارة", "الطاقة", "الأمن", "الأمن الغذائي", "السياحة", "المناخ",
    "الرعاية الصحية", "التعليم", "الاستثمار", "الشحن", "الطيران", "المياه", "الأمن السيبراني",
    "الذكاء الاصطناعي", "التعدين", "الفضاء", "الرياضة", "الثقافة", "المدفوعات الرقمية",
)  # fmt: skip
PEOPLE_AR = (
    "عمر حداد", "ليلى منصور", "عمران قريشي", "نادية فاروق", "كريم عزيز", "هناء صالح",
    "طارق مالك", "رانيا خوري", "يوسف ناصر", "عائشة رحمن", "أحمد صديقي", "مريم يوسف",
    "سامي العلي", "فاطمة الزهراء", "خالد الراشد",
)  # fmt: skip
CITIES_AR = (
    "دبي", "الرياض", "إسلام آباد", "لندن", "القاهرة", "الدوحة", "عمّان", "مسقط", "كراتشي",
    "جدة", "أبوظبي", "المنامة", "الرباط", "لاهور", "بيروت",
)  # fmt: skip
COMPANIES_AR = (
    "نور & شركاه", "الصحراء للخدمات اللوجستية", "طيران الصقر", "واحة الأغذية", "الهلال للاتصالات",
    "أطلس للتعدين", "بنك اللؤلؤ", "قمر للطاقة", "النيل للنسيج", "زينة الصحية", "مدار للدفع",
    "الكثبان & شركاه", "السراب للإعلام", "المرفأ القابضة", "حديد وأبناؤه",
)  # fmt: skip
EVENTS_AR = (
    "أرباح فصلية قياسية", "خفض مفاجئ للفائدة", "عقد خليجي جديد", "اندماج مع منافس",
    "زيادة التوزيعات", "توقعات ضعيفة", "هجوم إلكتروني", "تغيير الرئيس التنفيذي",
    "طلب إدراج في البورصة", "تحقيق تنظيمي",
)  # fmt: skip

TEMPLATES_AR = (
    (
        "{C1} و{C2} تبحثان التعاون في {T} خلال اجتماع في {City}",
        (
            "{CITY}: عقدت {C1} و{C2} محادثات حول {T} في {City} يوم {Weekday}.",
            "{CITY}: بحث وفدا {C1} و{C2} ملف {T} في {City} يوم {Weekday}.",
        ),
    ),
    (
        "{P} يلتقي سفير {C1} لمراجعة خطط {T}",
        (
            "{CITY}: [التقى|التقت] {P} سفير {C1} يوم {Weekday} لمراجعة خطط {T}.",
            "{CITY}: [راجع|راجعت] {P} مع سفير {C1} خطط {T} يوم {Weekday}.",
        ),
    ),
    (
        "أسهم «{Co}» ترتفع {N}% في {City} بعد {E}",
        (
            "{CITY}: ارتفعت أسهم «{Co}» بنسبة {N}% يوم {Weekday} بعد {E}.",
            "{CITY}: صعد سهم «{Co}» {N}% في تداولات {Weekday} عقب {E}.",
        ),
    ),
    (
        "{City} تستضيف قمة {T} و{C1} تؤكد مشاركتها",
        (
            "{CITY}: أكدت {C1} إرسال {Role} إلى قمة {T} في {City}.",
            "{CITY}: تشارك {C1} في قمة {T} التي تستضيفها {City} في {Month}.",
        ),
    ),
    (
        '"{T} أولويتنا" يقول {P} في {City}',
        (
            '{CITY}: [قال|قالت] {P} لـ{Media} يوم {Weekday} إن "{T} أولويتنا".',
            '{CITY}: [أكد|أكدت] {P} في {City} يوم {Weekday} أن "{T} أولويتنا".',
        ),
    ),
    (
        "التضخم في {C1} يبقى < {N}% مع تراجع تكاليف {T}",
        (
            "{CITY}: بقي تضخم {C1} دون {N}% في {Month}، وتراجعت تكاليف {T}.",
            "{CITY}: تضخم {C1} لم يتجاوز {N}% خلال {Month} وتراجعت تكاليف {T}.",
        ),
    ),
    (
        "كيف يمكن لـ{T} أن يغير {City} بحلول 2030 بحسب {P}",
        (
            "{CITY}: [عرض|عرضت] {P} كيف يمكن لـ{T} أن يغير {City} قبل 2030.",
            "{CITY}: [قال|قالت] {P} من {Org} إن {T} قد يغير {City} بحلول 2030.",
        ),
    ),
    (
        "تعيين {P} و{Q} لقيادة فريق {T} في {C1}",
        (
            "{CITY}: [سيقود|ستقود] {P} و{Q} فريق {T} الجديد في {C1}.",
            "{CITY}: ذكرت {Media} أن {C1} أسندت فريق {T} إلى {P} و{Q}.",
        ),
    ),
    (
        "سكان {City} يتفاعلون مع قواعد {T} الجديدة من «{Co}»",
        (
            "{CITY}: نشر سكان {City} {K} تعليق يوم {Weekday} حول قواعد {T} التي أعلنتها «{Co}».",
            "{CITY}: وصلت {Cnt} شكوى من {City} بشأن قواعد {T} الجديدة من «{Co}».",
        ),
    ),
    (
        "خمسة أمور يجب معرفتها عن خطة {T} بين {C1} و{C2}",
        (
            "{CITY}: وقّعت {C1} و{C2} يوم {Weekday} خطة {T} من {Cnt} صفحة في {City2}.",
            "{CITY}: خطة {T} بين {C1} و{C2} تبلغ قيمتها {X} مليار {Cur}.",
        ),
    ),
)
SLOTS_AR = {
    "C1": COUNTRIES_AR,
    "T": TOPICS_AR,
    "P": PEOPLE_AR,
    "Q": PEOPLE_AR,
    "City": CITIES_AR,
    "Co": COMPANIES_AR,
    "E": EVENTS_AR,
    "N": tuple(str(n) for n in range(2, 20)),
}

# --- excerpt filler ---------------------------------------------------------------------------

# The sentences after the lead are drawn per story from these frames. Unrelated news stories
# share few 3-word runs, so neither may the replica's: every run of three words in a frame
# holds at least one slot ({Name}), filled from the story's own RNG out of lists big enough
# that two stories rarely draw the same values into the same frame (a test checks the rule).
# A trailing digit asks for another value of the same list ({Country2} is not {Country}).
# Slots the generator computes rather than looks up: {N} percent, {Cnt} a count, {K}
# thousands, {X} a decimal, {Yp}/{Yf} a past/future year, {P} a person and {Co} a company
# (two lists each), and the {Dt...} parts of a date some way before the story's own (see
# DATED_FRAMES_*). In Arabic, "[m|f]" is the masculine or feminine form, agreeing with the
# sentence's {P} (and so does {Role}).
#
# Some frames carry characters that must be HTML-escaped (< > & " '); the dated ones carry a
# date that is NOT the story's date (a story has at most one of those).
FRAMES_EN = (
    "{P}, the {Role}, said {Sector} revenue rose {N} percent.",
    "{Org} said {Cnt} firms sought {Sector} licences since {Month}.",
    "{Co} will open {Project} near {City} in {Yf}.",
    "Trade between {Country} and {Country2} reached {Cur}{X} billion in {Yp}.",
    'The "{Big}" {Group} of {Country} gained {N} percent, {Co} analysts said.',
    "Margins at {Co} stayed < {N}% & costs rose {N2}% in {Month}.",
    "The {Doc}, titled <{Value} & {Value2}>, reached {Org} on {Weekday}.",
    "It's '{Quote}', {P} told {City} radio.",
    "{Country} and {Country2} formed a {Sector} panel under {P}.",
    "{Org} will publish {Sector} figures for {City} on {Weekday}.",
    "Critic {P} said the {Sector} plan left {Group} in {Country} exposed.",
    "It came {Days} days after {P} met {Co} executives.",
    "Media in {City} said {Cnt} {Group} sought {Sector} permits by {Weekday}.",
    "{Org} will review {Sector} curbs in {Month}, {P} said.",
    "{Country} held its {Rate} at {X} percent on {Weekday}.",
    "Some {K} people joined {Event} in {City} on {Weekday}.",
    "{Org} urged {Country} to share {Sector} data with {Co}.",
    "Tickets for {Event} in {City} start at {Money} {Cnt}.",
    "{Project} anchors the {Sector} strategy that {Country} adopted in {Yp}.",
    "Experts at {Co} warned {Sector} costs in {Country} could rise {N} percent.",
    "{P} of {Hospital} hospital in {City} said {Cnt} patients were {Condition}.",
    "Shares of {Co} fell {X} percent on {Weekday} after {News}.",
    "{Co} will shed {Cnt} jobs in {City} by {Month}.",
    "{P} told {Media} that {Sector} prices rose {N} percent in {Month}.",
    "{Co} will run {Cnt} weekly {City} flights from {Month}.",
    "{P} said the {Sector} deal with {Country} was worth {Cur}{X} billion.",
    "Police in {City} questioned {Cnt} people over {Sector} fraud on {Weekday}.",
    "{Co} and {Co2} agreed a {Cur}{X} million {Sector} venture in {City}.",
    "Unemployment in {Country} fell to {X} percent in {Month}, {Org} said.",
    "{City} will host {Event} in {Month} {Yf}.",
    "{P} of {Co} said {Sector} demand in {Country} doubled since {Yp}.",
    "Inflation in {Country} eased to {X} percent in {Month}.",
    "The {Sector} union in {City} dropped its {Weekday} strike, {P} said.",
    "Judges in {City} fined {Co} {Money} {K} on {Weekday} over {Sector} breaches.",
    "{Country} plans {Cnt} new {Sector} projects by {Yf}, {P} said.",
    "{P} will visit {Country} in {Month} to discuss {Sector} ties.",
)
DATED_FRAMES_EN = (
    "{Co} announced the {Deal} on {DtWdmy} at {DtTime}.",
    "{DtMonDay}— {Role} {P} said a {Sector} deal with {Country} was close.",
    "Speaking on {DtWeekday} ({DtMonthDay}, {DtYear}), {P} gave no {Sector} timeline.",
    "A similar {Sector} agreement with {Country} signed on {DtDmy} expired in {Month}.",
    "A video {P} posted {Ago} ago drew {K} views in {City}.",
)
FRAMES_AR = (
    "[وقال|وقالت] {P}، {Role}، إن إيرادات {Sector} ارتفعت {N}%.",
    "وبحسب {Org}، طلبت {Cnt} شركة تراخيص {Sector} في {City}.",
    "وتعتزم «{Co}» افتتاح {Project} قرب {City} في {Yf}.",
    "وبلغت تجارة {Country} مع {Country2} {X} مليار {Cur} في {Yp}.",
    '[وقال|وقالت] {P} إن قرار {Org} "{Quote}".',
    "وبقيت أرباح «{Co}» < {N}% من إيرادات {Month}.",
    "ووصلت {Doc} بعنوان <{Value} & {Value2}> إلى {Org} يوم {Weekday}.",
    "واتفق مسؤولو {Country} و{Country2} على لجنة {Sector} المشتركة برئاسة {P}.",
    "وستصدر أرقام {Sector} في {City} يوم {Weekday}، بحسب {Org}.",
    "[وانتقد|وانتقدت] {P} خطة {Sector} في {Country} لأنها تضر {Group}.",
    "وبعد {Days} من لقاء {P} بمسؤولي «{Co}»، صدر القرار.",
    "وذكرت {Media} أن {Cnt} شركة في {City} طلبت تراخيص {Sector}.",
    "وتخضع قيود {Sector} في {City} للمراجعة في {Month}، بحسب {Org}.",
    "وأبقى بنك {Country} المركزي {Rate} عند {X}% يوم {Weekday}.",
    "وحضر {K} شخص {Event} في {City}، بحسب {P}.",
    "[وطالب|وطالبت] {P} {Org} بمشاركة بيانات {Sector} مع {Country}.",
    "وتبدأ تذاكر {Event} في {City} من {Cnt} {Money} يوم {Weekday}.",
    "ويأتي مشروع {Project} في {City} ضمن استراتيجية {Sector} لعام {Yf}.",
    "وحذر خبراء «{Co}» من زيادة {N}% في تكاليف {Sector}.",
    "وقال مستشفى {Hospital} في {City} إن حالة {Cnt} مصابا مستقرة.",
    "وتراجعت أسهم «{Co}» {X}% يوم {Weekday} بعد {News}.",
    "وتخطط «{Co}» لإلغاء {Cnt} وظيفة في {City} بحلول {Month}.",
    "[وقال|وقالت] {P} لـ{Media} إن أسعار {Sector} ارتفعت {N}%.",
    "وتسيّر «{Co}» {Cnt} رحلة إلى {City} أسبوعيا من {Month}.",
    "[وقال|وقالت] {P} إن صفقة {Sector} مع {Country} تبلغ {X} مليار {Cur}.",
    "وأوقفت شرطة {City} {Cnt} شخصا يوم {Weekday} بتهمة سرقة «{Co}».",
    "واتفقت «{Co}» و«{Co2}» على مشروع {Sector} المشترك.",
    "وبحسب {Org}، بلغت البطالة {X}% في {Country} خلال {Month}.",
    "وتستضيف {City} {Event} في {Month} {Yf}.",
    "وتباطأ تضخم {Country} إلى {X}% في {Month}، وفق {Org}.",
    "وتعتزم حكومة {Country} إطلاق {Cnt} مشروعا لقطاع {Sector} بحلول {Yf}.",
    "و[يزور|تزور] {P} {Country} في {Month} لبحث ملف {Sector}.",
)
DATED_FRAMES_AR = (
    "وأعلنت «{Co}» {Deal} يوم {DtWdmy} في الساعة {DtTime}.",
    "وفي {DtDayMonth}، [قال|قالت] {P} إن محادثات {Sector} ستعقد في {City}.",
    "و[رفض|رفضت] {P} يوم {DtWeekday} ({DtDayMonth} {DtYear}) تحديد موعد {Deal}.",
    "ووقّعت «{Co}» اتفاق {Sector} مع {Country} في {DtDmy} بشروط مماثلة.",
    "و[نشر|نشرت] {P} منذ {Ago} مقطعا حصد {K} مشاهدة في {City}.",
)

# Slot lists of the filler. People are a first name and a family name drawn apart.
FIRST_NAMES_EN = (
    "Omar", "Layla", "Imran", "Nadia", "Karim", "Hana", "Tariq", "Rania", "Yousef", "Aisha",
    "Daniel", "Emily", "Ahmed", "Mariam", "James", "Sara", "Faisal", "Dina", "Khalid", "Noor",
    "Bilal", "Salma", "Hassan", "Reem", "Zain", "Farah", "Adnan", "Lina", "Samir", "Maya",
    "Rashid", "Huda", "Fahad", "Amal", "Peter", "Claire", "Asif", "Sana", "Majid", "Yasmin",
)  # fmt: skip
FAMILY_NAMES_EN = (
    "Haddad", "Mansour", "Qureshi", "Farouk", "Aziz", "Saleh", "Malik", "Khoury", "Nasser",
    "Rahman", "Brooks", "Carter", "Siddiqui", "Youssef", "Holloway", "Al Shamsi", "Al Otaibi",
    "Hashmi", "Chaudhry", "Al Harbi", "Darwish", "Hamdan", "Karam", "Suleiman", "Al Kaabi",
    "Baig", "Abbasi", "Al Mazrouei", "Tahir", "Bakr", "Zaidi", "Khalil", "Awad", "Al Ansari",
    "Sharif", "Morgan", "Fraser", "Al Dosari", "Jaber", "Iqbal",
)  # fmt: skip
FIRST_NAMES_AR_M = (
    "أحمد", "محمد", "خالد", "سامي", "عمر", "يوسف", "طارق", "كريم", "فيصل", "ماجد", "ناصر",
    "حسن", "علي", "زياد", "باسل", "هشام", "وليد", "مازن", "رامي", "جمال", "سلمان", "منصور",
    "عادل", "نبيل", "فهد",
)  # fmt: skip
FIRST_NAMES_AR_F = (
    "ليلى", "نادية", "هناء", "رانيا", "عائشة", "مريم", "فاطمة", "سارة", "دينا", "ريم", "نور",
    "هالة", "سلمى", "لينا", "منى", "أمل", "رنا", "جميلة", "سعاد", "ياسمين",
)  # fmt: skip
FAMILY_NAMES_AR = (
    "حداد", "منصور", "قريشي", "فاروق", "عزيز", "صالح", "مالك", "خوري", "ناصر", "رحمن",
    "صديقي", "يوسف", "العلي", "الراشد", "الشمري", "العتيبي", "الحربي", "القحطاني", "الزعبي",
    "المصري", "النعيمي", "الكعبي", "البلوشي", "الهاشمي", "السويدي", "الدوسري", "الفلاسي",
    "المهيري", "الأنصاري", "الخطيب", "عبد الله", "الحسيني", "التميمي", "الشامي", "البنا",
)  # fmt: skip
# A company is a name and a line of business drawn apart; some are "X & Sons".
COMPANY_NAMES_EN = (
    "Noor", "Sahara", "Falcon", "Oasis", "Crescent", "Atlas", "Pearl", "Mirage", "Qamar",
    "Nile", "Zayna", "Orbit", "Harbor", "Dune", "Hadid", "Cedar", "Marjan", "Sidra",
    "Jasmine", "Palm", "Fajr", "Rayyan", "Red Sea", "Horizon", "Jazira", "Mashreq", "Tamr",
    "Sadaf", "Lulu", "Najm",
)  # fmt: skip
COMPANY_KINDS_EN = (
    "Capital", "Logistics", "Air", "Foods", "Telecom", "Mining", "Bank", "Media", "Energy",
    "Textiles", "Health", "Pay", "Holdings", "Steel", "Cement", "Motors", "Insurance",
    "Shipping", "Properties", "Pharma", "& Sons", "& Co", "& Partners",
)  # fmt: skip
COMPANY_NAMES_AR = (
    "نور", "الصحراء", "الصقر", "الواحة", "الهلال", "أطلس", "اللؤلؤ", "قمر", "النيل", "زينة",
    "مدار", "الكثبان", "السراب", "المرفأ", "الأرز", "المرجان", "السدرة", "الياسمين", "النخيل",
    "الفجر", "الريان", "البحر الأحمر", "الأفق", "الجزيرة", "المشرق",
)  # fmt: skip
COMPANY_KINDS_AR = (
    "للطاقة", "للتعدين", "للاتصالات", "للأغذية", "القابضة", "للاستثمار", "للطيران", "للشحن",
    "للإسمنت", "للصلب", "للتأمين", "للعقارات", "للأدوية", "للسيارات", "& شركاه", "للتقنية",
    "للنسيج", "للخدمات المالية",
)  # fmt: skip
FILLER_SLOTS_EN: dict[str, tuple[str, ...]] = {
    "Role": (
        "finance minister", "trade minister", "energy minister", "central bank governor",
        "chief executive", "chief economist", "company spokesperson", "ministry spokesperson",
        "union leader", "opposition lawmaker", "city planner", "port director", "airline chief",
        "hospital director", "national coach", "festival director", "research analyst",
        "fund manager", "trade envoy", "police chief", "university president",
        "housing minister", "health minister", "tourism official", "water authority head",
        "customs chief", "investment adviser", "climate negotiator", "shipping analyst",
        "bank economist",
    ),
    "Country": (
        *COUNTRIES_EN,
        "Lebanon", "Tunisia", "Algeria", "Sudan", "Germany", "Italy", "Spain", "South Korea",
        "Brazil", "Nigeria", "Bangladesh", "Sri Lanka", "Singapore", "Greece", "Canada",
    ),
    "City": (
        *CITIES_EN,
        "Sharjah", "Kuwait City", "Beirut", "Tunis", "Casablanca", "Alexandria", "Medina",
        "Basra", "Peshawar", "Multan", "Salalah", "Aqaba", "Ras Al Khaimah", "Istanbul",
        "Mumbai", "Paris", "Tokyo", "Nairobi",
    ),
    "Sector": (
        "steel", "cement", "rice", "wheat", "solar", "wind power", "gas", "oil", "rail", "port",
        "airline", "hotel", "retail", "housing", "fertiliser", "textile", "dairy", "copper",
        "fishing", "software", "chip", "battery", "car", "shipping", "tourism", "banking",
        "insurance", "water", "power", "mobile",
    ),
    "Project": (
        "a desalination plant", "a metro line", "a solar park", "a container terminal",
        "a cancer hospital", "a data centre", "a free zone", "a cricket stadium",
        "a logistics hub", "a wind farm", "an airport terminal", "a ring road",
        "a housing scheme", "a film studio", "a fish market", "a teaching hospital",
        "a grain silo", "a research campus", "a cruise terminal", "a steel mill",
        "a business park", "a water reservoir",
    ),
    "Org": (
        "the finance ministry", "the central bank", "the port authority",
        "the statistics office", "the chamber of commerce", "the health ministry",
        "the civil aviation authority", "the stock exchange", "the labour ministry",
        "the tourism board", "the planning ministry", "the energy regulator",
        "the competition authority", "the municipality", "the transport ministry",
        "the water authority", "the customs service", "the sovereign fund",
        "the anti-graft agency", "the audit bureau",
    ),
    "Group": (
        "lenders", "insurers", "airlines", "carmakers", "refiners", "developers", "retailers",
        "telecom operators", "exporters", "importers", "farmers", "shipowners", "hotel groups",
        "utilities", "start-ups", "contractors", "wholesalers", "fund managers",
    ),
    "Big": ("big three", "big four", "big five", "top two", "top three", "top five"),
    "Doc": (
        "draft law", "policy paper", "white paper", "strategy note", "discussion paper",
        "draft charter", "reform plan", "cabinet memo",
    ),
    "Value": (
        "Vision", "Reform", "Growth", "Renewal", "Trust", "Progress", "Access", "Balance",
        "Unity", "Resilience", "Prosperity", "Openness",
    ),
    "Quote": (
        "a turning point", "a fair deal", "long overdue", "a first step", "a wake-up call",
        "not enough", "a historic day", "a real test", "bad news for savers",
        "good for business", "a step backwards", "a done deal", "the right call",
        "too little, too late", "a new chapter", "no surprise",
    ),
    "Weekday": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "Month": (
        "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December",
    ),
    "Days": ("two", "three", "four", "five", "six", "ten"),
    "Rate": (
        "benchmark rate", "policy rate", "repo rate", "key rate", "overnight rate",
        "deposit rate", "discount rate",
    ),
    "Event": (
        "the opening ceremony", "the book fair", "the half marathon", "the trade fair",
        "the job fair", "the film festival", "the food festival", "the air show",
        "the cup final", "the motor show", "the startup forum", "the design week",
        "the jazz festival", "the art fair", "the camel race", "the boat show",
    ),
    "News": (
        *EVENTS_EN,
        "a profit warning", "a credit downgrade", "a failed bid", "a plant fire",
        "a court ruling", "a boardroom row",
    ),
    "Condition": ("stable", "in good condition", "recovering", "out of danger", "improving"),
    "Money": ("AED", "SAR", "QAR", "EGP", "PKR", "OMR", "KWD", "BHD", "JOD", "GBP"),
    "Cur": ("$", "€", "£"),
    "Hospital": (
        "King Fahd", "Rashid", "Aga Khan", "Al Noor", "Mafraq", "Hamad", "Sultan Qaboos",
        "Al Zahra", "Salmaniya", "Mubarak", "Shifa", "Jinnah", "Al Jalila", "Tawam",
    ),
    "Media": (
        "Reuters", "AFP", "the BBC", "Al Jazeera", "Bloomberg", "state television",
        "Arab News", "Dawn", "local radio", "the Financial Times", "WAM", "the Associated Press",
    ),
    "Deal": (
        "tender", "merger", "bond sale", "share buyback", "takeover", "expansion plan",
        "price cut", "pay rise", "spin-off", "rights issue",
    ),
}  # fmt: skip
FILLER_SLOTS_AR: dict[str, tuple[str, ...]] = {
    "Country": (
        *COUNTRIES_AR,
        "لبنان", "تونس", "الجزائر", "السودان", "ألمانيا", "إيطاليا", "إسبانيا", "كوريا الجنوبية",
        "البرازيل", "نيجيريا", "بنغلاديش", "سريلانكا", "سنغافورة", "اليونان", "كندا",
    ),
    "City": (
        *CITIES_AR,
        "الشارقة", "الكويت", "تونس", "الدار البيضاء", "الإسكندرية", "المدينة المنورة", "البصرة",
        "بيشاور", "صلالة", "العقبة", "رأس الخيمة", "إسطنبول", "مومباي", "باريس", "طوكيو",
        "نيروبي", "الخبر", "العين",
    ),
    "Sector": (
        "الصلب", "الإسمنت", "الأرز", "القمح", "الطاقة الشمسية", "طاقة الرياح", "الغاز", "النفط",
        "السكك الحديدية", "الموانئ", "الطيران", "الفنادق", "التجزئة", "الإسكان", "الأسمدة",
        "النسيج", "الألبان", "التمور", "الصيد", "البرمجيات", "الرقائق", "البطاريات", "السيارات",
        "الشحن", "السياحة", "المصارف", "التأمين", "المياه", "الكهرباء", "الهواتف",
    ),
    "Project": (
        "محطة لتحلية المياه", "خط مترو", "مجمع للطاقة الشمسية", "محطة حاويات", "مستشفى للأورام",
        "مركز بيانات", "منطقة حرة", "ملعب للكريكيت", "مركز لوجستي", "مزرعة رياح",
        "مبنى ركاب جديد", "طريق دائري", "مجمع سكني", "استوديو أفلام", "سوق للأسماك",
        "مستشفى جامعي", "صوامع للحبوب", "حرم بحثي", "محطة للسفن السياحية", "مصنع للصلب",
        "مجمع للأعمال", "خزان للمياه",
    ),
    "Org": (
        "وزارة المالية", "البنك المركزي", "هيئة الموانئ", "جهاز الإحصاء", "غرفة التجارة",
        "وزارة الصحة", "هيئة الطيران المدني", "البورصة", "وزارة العمل", "هيئة السياحة",
        "وزارة التخطيط", "هيئة تنظيم الطاقة", "هيئة المنافسة", "البلدية", "وزارة النقل",
        "هيئة المياه", "مصلحة الجمارك", "الصندوق السيادي", "هيئة مكافحة الفساد",
        "ديوان المحاسبة",
    ),
    "Group": (
        "المصارف", "شركات التأمين", "شركات الطيران", "مصنعي السيارات", "المصافي", "المطورين",
        "تجار التجزئة", "مشغلي الاتصالات", "المصدرين", "المستوردين", "المزارعين", "ملاك السفن",
        "الفنادق", "المقاولين", "تجار الجملة", "الشركات الناشئة", "المستهلكين", "صغار المستثمرين",
    ),
    "Doc": ("مسودة", "ورقة عمل", "وثيقة", "خطة", "استراتيجية", "مذكرة", "دراسة", "رؤية"),
    "Value": (
        "رؤية", "إصلاح", "نمو", "تجديد", "ثقة", "تقدم", "انفتاح", "توازن", "وحدة", "صمود",
        "ازدهار", "شراكة",
    ),
    "Quote": (
        "نقطة تحول", "خطوة أولى", "صفقة عادلة", "تأخر كثيرا", "جرس إنذار", "غير كاف",
        "يوم تاريخي", "اختبار حقيقي", "خبر سيئ", "مفيد للأعمال", "خطوة إلى الوراء",
        "أمر محسوم", "القرار الصحيح", "فصل جديد", "ليس مفاجئا", "بداية جيدة",
    ),
    "Weekday": ("الأحد", "الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت"),
    "Month": (
        "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
        "أكتوبر", "نوفمبر", "ديسمبر",
    ),
    "Days": ("يومين", "ثلاثة أيام", "أربعة أيام", "خمسة أيام", "أسبوع", "أسبوعين", "عشرة أيام"),
    "Rate": ("سعر الفائدة الرئيسي", "سعر إعادة الشراء", "سعر الإقراض", "سعر الإيداع", "سعر الخصم"),
    "Event": (
        "حفل الافتتاح", "معرض الكتاب", "نصف الماراثون", "المعرض التجاري", "معرض التوظيف",
        "مهرجان الأفلام", "مهرجان الطعام", "العرض الجوي", "المباراة النهائية", "معرض السيارات",
        "منتدى الشركات الناشئة", "أسبوع التصميم", "مهرجان الموسيقى", "معرض الفنون",
        "سباق الهجن", "معرض القوارب",
    ),
    "News": (
        *EVENTS_AR,
        "تحذير من تراجع الأرباح", "خفض تصنيفها الائتماني", "فشل عرض استحواذ", "حريق في مصنع",
        "حكم قضائي", "خلاف في مجلس الإدارة",
    ),
    "Money": ("درهما", "ريالا", "دينارا", "جنيها", "روبية"),
    "Cur": ("دولار", "يورو", "درهم", "ريال", "جنيه إسترليني"),
    "Hospital": (
        "الملك فهد", "راشد", "حمد", "السلطان قابوس", "السلمانية", "الشفاء", "جناح", "النور",
        "الزهراء", "المفرق", "مبارك", "آغا خان", "الجليلة", "توام",
    ),
    "Media": (
        "رويترز", "وكالة الصحافة الفرنسية", "هيئة الإذاعة البريطانية", "قناة الجزيرة", "بلومبرغ",
        "التلفزيون الرسمي", "صحيفة الخليج", "صحيفة البيان", "إذاعة محلية", "وكالة وام",
        "وكالة الأنباء السعودية", "صحيفة الشرق الأوسط",
    ),
    "Deal": (
        "المناقصة", "الاندماج", "طرح السندات", "إعادة شراء الأسهم", "الاستحواذ", "خطة التوسع",
        "خفض الأسعار", "زيادة الرواتب", "فصل النشاط", "زيادة رأس المال",
    ),
}  # fmt: skip
# Roles agree with the person in Arabic: (masculine, feminine).
ROLES_AR = (
    ("وزير المالية", "وزيرة المالية"), ("وزير التجارة", "وزيرة التجارة"),
    ("وزير الطاقة", "وزيرة الطاقة"), ("محافظ البنك المركزي", "محافظة البنك المركزي"),
    ("الرئيس التنفيذي", "الرئيسة التنفيذية"), ("كبير الاقتصاديين", "كبيرة الاقتصاديين"),
    ("المتحدث الرسمي", "المتحدثة الرسمية"), ("مدير الميناء", "مديرة الميناء"),
    ("رئيس النقابة", "رئيسة النقابة"), ("النائب المعارض", "النائبة المعارضة"),
    ("مدير المستشفى", "مديرة المستشفى"), ("مدرب المنتخب", "مدربة المنتخب"),
    ("مدير المهرجان", "مديرة المهرجان"), ("المحلل المالي", "المحللة المالية"),
    ("مدير الصندوق", "مديرة الصندوق"), ("المبعوث التجاري", "المبعوثة التجارية"),
    ("رئيس الجامعة", "رئيسة الجامعة"), ("وزير الإسكان", "وزيرة الإسكان"),
    ("وزير الصحة", "وزيرة الصحة"), ("مسؤول السياحة", "مسؤولة السياحة"),
    ("رئيس هيئة المياه", "رئيسة هيئة المياه"), ("مدير الجمارك", "مديرة الجمارك"),
    ("المستشار الاستثماري", "المستشارة الاستثمارية"), ("مفاوض المناخ", "مفاوضة المناخ"),
)  # fmt: skip
# The clock in words from 7:00 to 22:00, as Arabic copy often gives it ("العاشرة مساء").
HOURS_AR = (
    "السابعة صباحا", "الثامنة صباحا", "التاسعة صباحا", "العاشرة صباحا", "الحادية عشرة صباحا",
    "الثانية عشرة ظهرا", "الواحدة ظهرا", "الثانية ظهرا", "الثالثة عصرا", "الرابعة عصرا",
    "الخامسة مساء", "السادسة مساء", "السابعة مساء", "الثامنة مساء", "التاسعة مساء",
    "العاشرة مساء",
)  # fmt: skip
# Relative times ("2 days ago"), per language.
AGO_EN = ("2 days", "3 days", "4 days", "5 days", "2 weeks", "3 weeks", "a month", "2 months")
AGO_AR = ("يومين", "ثلاثة أيام", "أربعة أيام", "أسبوعين", "ثلاثة أسابيع", "شهر", "شهرين")
