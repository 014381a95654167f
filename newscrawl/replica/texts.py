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

# Each template: (title, lead sentence of the excerpt). Slots name the word lists in SLOTS_EN;
# "C2" is "another country than C1" and is handled by the generator.
TEMPLATES_EN = (
    (
        "{C1} and {C2} discuss {T} cooperation in {City}",
        "{CITY}: {C1} and {C2} have held talks in {City} on {T} cooperation, officials said.",
    ),
    (
        "{P} meets {C1} envoy to review {T} plans",
        "{CITY}: {P} met the envoy of {C1} to review joint {T} plans on Friday.",
    ),
    (
        "{Co} shares jump {N}% in {City} after {E}",
        "{CITY}: Shares of {Co} rose {N}% in early trade after {E}, brokers said.",
    ),
    (
        "{City} to host {T} summit as {C1} confirms attendance",
        "{CITY}: {C1} will send a delegation to the {T} summit, organisers said.",
    ),
    (
        "'{T} is our priority', says {P} in {City}",
        '{CITY}: "{T} is our priority," {P} told reporters.',
    ),
    (
        "{C1} inflation stays < {N}% as {T} costs ease",
        "{CITY}: Inflation in {C1} stayed below {N}% as {T} costs eased, data showed.",
    ),
    (
        "How {T} could reshape {City} by 2030, according to {P}",
        "{CITY}: {P} set out how {T} could change the city within five years.",
    ),
    (
        "{P} & {Q} named to lead {C1} {T} task force",
        "{CITY}: {P} and {Q} will lead the new {T} task force of {C1}.",
    ),
    (
        "{City} residents react to new {T} rules from {Co}",
        "{CITY}: Residents reacted on social media to new {T} rules announced by {Co}.",
    ),
    (
        "Five things to know about the {T} plan of {C1} and {C2}",
        "{CITY}: The {T} plan agreed by {C1} and {C2} runs to 40 pages.",
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
        "{CITY}: عقدت {C1} و{C2} محادثات في {City} حول التعاون في {T}، بحسب مسؤولين.",
    ),
    (
        "{P} يلتقي سفير {C1} لمراجعة خطط {T}",
        "{CITY}: التقى {P} سفير {C1} لمراجعة الخطط المشتركة في {T}.",
    ),
    (
        "أسهم «{Co}» ترتفع {N}% في {City} بعد {E}",
        "{CITY}: ارتفعت أسهم «{Co}» بنسبة {N}% في بداية التداول بعد {E}.",
    ),
    (
        "{City} تستضيف قمة {T} و{C1} تؤكد مشاركتها",
        "{CITY}: أكدت {C1} مشاركتها في قمة {T}، وفق المنظمين.",
    ),
    (
        '"{T} أولويتنا" يقول {P} في {City}',
        '{CITY}: قال {P} للصحفيين إن "{T} أولويتنا".',
    ),
    (
        "التضخم في {C1} يبقى < {N}% مع تراجع تكاليف {T}",
        "{CITY}: بقي التضخم في {C1} دون {N}% مع تراجع تكاليف {T}.",
    ),
    (
        "كيف يمكن لـ{T} أن يغير {City} بحلول 2030 بحسب {P}",
        "{CITY}: عرض {P} كيف يمكن لـ{T} أن يغير المدينة خلال خمس سنوات.",
    ),
    (
        "تعيين {P} و{Q} لقيادة فريق {T} في {C1}",
        "{CITY}: سيقود {P} و{Q} فريق العمل الجديد المعني بـ{T} في {C1}.",
    ),
    (
        "سكان {City} يتفاعلون مع قواعد {T} الجديدة من «{Co}»",
        "{CITY}: تفاعل السكان عبر مواقع التواصل مع قواعد {T} التي أعلنتها «{Co}».",
    ),
    (
        "خمسة أمور يجب معرفتها عن خطة {T} بين {C1} و{C2}",
        "{CITY}: تقع خطة {T} التي اتفقت عليها {C1} و{C2} في 40 صفحة.",
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

# Sentences appended after the lead. Some carry dates that are NOT the story's date, some carry
# characters that must be HTML-escaped.
SENTENCES_EN = (
    "The meeting was first announced on Mon 19 May 2025 at 10:28pm, according to a statement.",
    "Jun. 10— Officials said a further round of talks would be held later in the year.",
    "Speaking on Tuesday (June 10, 2025), a spokesperson declined to give a timeline.",
    "A similar agreement signed on 03-02-2024 expired last year.",
    "A video posted 2 days ago on social media drew wide attention.",
    'Analysts said the "big three" lenders would benefit most from the change.',
    "Margins stayed < 5% & costs rose, the company's filing showed.",
    "The draft, titled <Vision & Reform>, was circulated to members on Sunday.",
    "It's 'a turning point', one official said, asking not to be named.",
    "Both sides agreed to set up a joint working group to follow up on the decisions.",
    "The ministry said further details would be published in the coming weeks.",
    "Trade between the two countries reached $4.2 billion last year, up 12 percent.",
    "Critics said the plan did not go far enough to protect consumers.",
    "The announcement came a day after a cabinet meeting chaired by the prime minister.",
    "Local media reported that several companies had already applied for licences.",
    "Officials stressed that the measures were temporary and would be reviewed.",
    "The central bank kept its benchmark rate unchanged at its last meeting.",
    "More than 3,000 people attended the opening ceremony, organisers said.",
    "The report also called for better data sharing between agencies.",
    "Updated at 4:15pm GST with comments from the ministry.",
    "Tickets go on sale on Friday, with prices starting at AED 95.",
    "The initiative is part of a wider strategy announced in 2023.",
    "Experts warned that rising temperatures could strain water supplies.",
    "The hospital said the patients were in a stable condition.",
)
SENTENCES_AR = (
    "وكان الاجتماع قد أُعلن عنه يوم الاثنين 19 مايو 2025 في الساعة العاشرة مساءً.",
    "وفي 10 يونيو، قال مسؤولون إن جولة جديدة من المحادثات ستعقد في وقت لاحق من العام.",
    "ورفض متحدث يوم الثلاثاء (10 يونيو 2025) تحديد جدول زمني.",
    "وكان اتفاق مماثل قد وُقّع في ٠٣-٠٢-٢٠٢٤ وانتهى العام الماضي.",
    "وانتشر مقطع فيديو نُشر منذ يومين على مواقع التواصل الاجتماعي.",
    "وقالت شركة «نور & شركاه» إن هامش الربح بقي < 5%.",
    'وقال مسؤول إن القرار "نقطة تحول" في العلاقات بين البلدين.',
    "واتفق الجانبان على تشكيل فريق عمل مشترك لمتابعة القرارات.",
    "وقالت الوزارة إن مزيدا من التفاصيل سيعلن خلال الأسابيع المقبلة.",
    "وبلغ حجم التجارة بين البلدين 4.2 مليار دولار العام الماضي.",
    "وانتقد خبراء الخطة وقالوا إنها لا تحمي المستهلكين بما يكفي.",
    "وجاء الإعلان بعد يوم من اجتماع لمجلس الوزراء.",
    "وأبقى البنك المركزي سعر الفائدة دون تغيير في اجتماعه الأخير.",
    "وحضر أكثر من 3000 شخص حفل الافتتاح بحسب المنظمين.",
    "ودعا التقرير إلى تحسين تبادل البيانات بين الجهات الحكومية.",
    "وقال المستشفى إن حالة المصابين مستقرة.",
)
