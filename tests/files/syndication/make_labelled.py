"""Writes labelled.jsonl: hand-written wire stories, their copies and near-misses.

Run ``python tests/files/syndication/make_labelled.py`` after editing; the JSONL is what
the tests read. Every story, headline rewrite, dateline and word change below was written
by hand; this script only applies the chosen edits so each copy says what was done to it.

Each record: ``id``, ``group`` (a story; its copies share it), ``label`` ("original",
``copy``, ``near_miss`` or ``other``), ``edits`` (what was done to the copy), ``split``
(``dev``: the thresholds were chosen looking at these; ``test``: held out, written with the
rest but scored only once the thresholds were fixed; ``hard``: written after both were
scored, to find where the method stops working), the story fields the pipeline reads, and ``expected_duplicate_of``: the id of the
group's earliest story (published, then id), or null for that story itself.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

OUT = Path(__file__).with_name("labelled.jsonl")


def sid(name: str) -> str:
    return hashlib.md5(name.encode()).hexdigest()


def sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?؟])\s+", text.strip())


def apply(story: dict, edits: list[tuple]) -> dict:
    """A copy of *story* with *edits* applied, in order."""
    title, excerpt = story["title"], story["excerpt"]
    body = story.get("body")
    names = []
    for edit in edits:
        kind = edit[0]
        if kind == "title":
            title = edit[1]
            names.append("headline rewritten")
        elif kind == "dateline":
            excerpt = edit[1] + excerpt
            names.append("dateline added")
        elif kind == "drop":
            parts = sentences(excerpt)
            del parts[edit[1]]
            excerpt = " ".join(parts)
            names.append("sentence dropped")
        elif kind == "sub":
            assert edit[1] in excerpt or edit[1] in title, edit
            excerpt = excerpt.replace(edit[1], edit[2])
            title = title.replace(edit[1], edit[2])
            if "words changed" not in names:
                names.append("words changed")
        elif kind == "lead":
            parts = sentences(excerpt)
            excerpt = " ".join(parts[: edit[1]])
            names.append(f"excerpt cut to {edit[1]} sentences")
        elif kind == "body":
            body = excerpt + "\n\n" + edit[1]
            names.append("body fetched")
        elif kind == "append":
            excerpt = excerpt + " " + edit[1]
            names.append("sentence added")
        elif kind == "rewrite":
            excerpt = edit[1]
            names.append("every sentence rewritten")
        elif kind == "identical":
            names.append("identical")
        else:
            raise ValueError(kind)
    return {**story, "title": title, "excerpt": excerpt, "body": body, "edits": names}


# Each group: the wire story (with its publisher and time), copies (publisher, time, edits),
# and near-misses: other news about the same people and places, possibly with copies of
# their own. Times are UTC; the copies come out after the story except where a tie is meant.
GROUPS: list[dict] = [
    {
        "key": "pk-uk-ct-dialogue",
        "split": "dev",
        "publisher": "Arab News",
        "published": "2025-04-17T09:10:00Z",
        "title": "Pakistan and UK agree to deepen counter-terrorism cooperation",
        "excerpt": (
            "Pakistan and Britain agreed on Thursday to expand intelligence sharing and joint "
            "training to counter militant groups, officials said after two days of talks in "
            "Islamabad. Interior Minister Mohsin Naqvi and British High Commissioner Jane "
            "Marriott led the delegations at the fourth round of the Pakistan-UK Counter-Terrorism "
            "Dialogue. The two sides discussed terrorist financing, border security and the "
            "return of foreign fighters, according to a joint statement. Naqvi said Pakistan had "
            "lost more than 80,000 lives in the fight against terrorism and welcomed British "
            "support for police training. The next round of talks will be held in London next year."
        ),
        "copies": [
            (
                "Dawn",
                "2025-04-17T10:02:00Z",
                [
                    ("title", "Islamabad, London to expand intel sharing against militants"),
                    ("dateline", "ISLAMABAD (Reuters) - "),
                ],
            ),
            ("Yahoo", "2025-04-17T11:30:00Z", [("identical",)]),
            (
                "Daily Record",
                "2025-04-18T07:45:00Z",
                [
                    ("drop", 4),
                    ("sub", "Britain agreed", "the United Kingdom agreed"),
                    ("sub", "officials said", "officials stated"),
                ],
            ),
        ],
        "near": [
            {
                "key": "pk-uk-migrants-deal",
                "publisher": "Dawn",
                "published": "2025-04-17T12:00:00Z",
                "title": "Pakistan and UK sign deal on return of migrants",
                "excerpt": (
                    "Pakistan and Britain signed an agreement on Thursday on the return of "
                    "migrants who have no right to stay in the UK, officials said in Islamabad. "
                    "Interior Minister Mohsin Naqvi and British High Commissioner Jane Marriott "
                    "signed the memorandum at a ceremony at the interior ministry. Under the deal, "
                    "Pakistan will issue travel documents within 30 days for nationals facing "
                    "deportation, according to a joint statement. Naqvi said the agreement would "
                    "also open legal routes for Pakistani workers. Britain has signed similar "
                    "deals with several countries this year."
                ),
            },
            {
                "key": "pk-uk-police-training",
                "publisher": "Arab News",
                "published": "2025-04-19T08:00:00Z",
                "title": "Naqvi says British police trainers to arrive in Pakistan in March",
                "excerpt": (
                    "British police instructors will start training Pakistani counter-terrorism "
                    "units in Lahore and Karachi next March, Interior Minister Mohsin Naqvi said on "
                    "Saturday. Interior Minister Mohsin Naqvi and British High Commissioner Jane "
                    "Marriott led the delegations at the fourth round of the Pakistan-UK "
                    "Counter-Terrorism Dialogue this week. The first course will train 400 officers "
                    "in forensic investigation and bomb disposal, the ministry said. The programme "
                    "is funded by the UK's Conflict, Stability and Security Fund."
                ),
            },
        ],
    },
    {
        "key": "oil-opec-output",
        "split": "dev",
        "publisher": "Gulf News",
        "published": "2025-06-02T06:20:00Z",
        "title": "Oil rises after OPEC+ keeps output increase smaller than feared",
        "excerpt": (
            "Oil prices rose more than 2% on Monday after OPEC+ agreed a smaller output increase "
            "for July than some traders had expected, easing worries about a supply glut. Brent "
            "crude futures climbed $1.42 to $64.20 a barrel by 0520 GMT, while U.S. West Texas "
            "Intermediate crude gained $1.35 to $62.14. The group of producers led by Saudi "
            "Arabia and Russia said on Saturday it would raise output by 411,000 barrels per day "
            "in July, the same as in the previous two months. Some analysts had expected a bigger "
            "increase as Riyadh seeks to punish members that exceed their quotas. Rising tensions "
            "between Russia and Ukraine also lent support to prices."
        ),
        "copies": [
            (
                "Khaleej Times",
                "2025-06-02T07:05:00Z",
                [
                    ("title", "Brent climbs above $64 as OPEC+ opts for modest July hike"),
                    ("dateline", "SINGAPORE, June 2 (Reuters) - "),
                ],
            ),
            (
                "Yahoo",
                "2025-06-02T07:40:00Z",
                [("drop", 5), ("sub", "easing worries about", "easing fears of")],
            ),
            (
                "The National",
                "2025-06-02T09:15:00Z",
                [
                    ("sub", "more than 2%", "over 2 percent"),
                    ("sub", "climbed", "rose"),
                    ("sub", "gained", "added"),
                    ("sub", "some traders", "many traders"),
                ],
            ),
        ],
        "near": [
            {
                "key": "oil-falls-next-day",
                "publisher": "Gulf News",
                "published": "2025-06-03T06:30:00Z",
                "title": "Oil falls as OPEC+ supply worries return",
                "excerpt": (
                    "Oil prices fell on Tuesday, giving up part of the previous session's gains, "
                    "as investors weighed the prospect of more supply from OPEC+ in August. Brent "
                    "crude futures slipped 61 cents to $63.59 a barrel by 0530 GMT, while U.S. West "
                    "Texas Intermediate crude lost 58 cents to $61.56. The group of producers led by "
                    "Saudi Arabia and Russia meets again on July 6 to decide August output. Canadian "
                    "wildfires that shut some oil sands production offered some support."
                ),
            },
        ],
    },
    {
        "key": "uae-rate-hold",
        "split": "dev",
        "publisher": "The National",
        "published": "2025-06-19T14:05:00Z",
        "title": "UAE central bank holds base rate at 4.40% after Fed decision",
        "excerpt": (
            "The Central Bank of the UAE kept its base rate unchanged at 4.40 percent on "
            "Wednesday, following the US Federal Reserve's decision to leave interest rates on "
            "hold. The UAE dirham is pegged to the US dollar, and the central bank usually moves "
            "in step with the Fed. The bank also kept the rate applicable to borrowing short-term "
            "liquidity through its standing credit facilities at 50 basis points above the base "
            "rate. Fed Chair Jerome Powell said the US economy remained in a solid position but "
            "warned that tariffs could push inflation higher over the summer."
        ),
        "copies": [
            (
                "Khaleej Times",
                "2025-06-19T14:40:00Z",
                [
                    ("title", "UAE keeps interest rate unchanged, mirroring US Fed"),
                ],
            ),
            ("Gulf News", "2025-06-19T15:20:00Z", [("dateline", "ABU DHABI: "), ("drop", 3)]),
            ("Yahoo", "2025-06-19T16:00:00Z", [("identical",)]),
        ],
        "near": [
            {
                "key": "uae-rate-cut-later",
                "publisher": "The National",
                "published": "2025-09-17T19:00:00Z",
                "title": "UAE central bank cuts base rate to 4.15% after Fed decision",
                "excerpt": (
                    "The Central Bank of the UAE cut its base rate by 25 basis points to 4.15 "
                    "percent on Wednesday, following the US Federal Reserve's first rate cut of the "
                    "year. The UAE dirham is pegged to the US dollar, and the central bank usually "
                    "moves in step with the Fed. Lower rates are expected to support lending to "
                    "small businesses and the property market, economists said. Powell said the "
                    "cut was a risk management decision as the labour market weakened."
                ),
            },
            {
                "key": "saudi-rate-hold",
                "publisher": "Arab News",
                "published": "2025-06-19T15:00:00Z",
                "title": "Saudi central bank holds rates after Fed decision",
                "excerpt": (
                    "The Saudi Central Bank kept its repurchase agreement rate at 5.0 percent and "
                    "its reverse repo rate at 4.5 percent on Wednesday after the US Federal Reserve "
                    "left rates on hold. The Saudi riyal is pegged to the US dollar. Bank lending "
                    "to the private sector grew 15 percent in April from a year earlier, the "
                    "central bank's monthly bulletin showed. Qatar and Kuwait also left rates "
                    "unchanged."
                ),
            },
        ],
    },
    {
        "key": "gaza-aid-trucks",
        "split": "dev",
        "publisher": "Al Arabiya English",
        "published": "2025-05-22T10:00:00Z",
        "title": "First aid trucks enter Gaza through Kerem Shalom after 11-week blockade",
        "excerpt": (
            "About 90 trucks carrying flour, baby food and medical supplies entered the Gaza Strip "
            "through the Kerem Shalom crossing on Wednesday, the United Nations said, the first "
            "aid to reach the enclave after an 11-week blockade. UN spokesperson Stephane Dujarric "
            "said the supplies were collected by UN teams and taken to warehouses in Khan Younis. "
            "Aid agencies said the deliveries were a drop in the ocean compared with the needs of "
            "2.1 million people. Israel said it would allow a basic amount of food into Gaza to "
            "prevent a hunger crisis."
        ),
        "copies": [
            (
                "Arab News",
                "2025-05-22T10:45:00Z",
                [
                    ("title", "UN says 90 aid trucks reach Gaza, first since March"),
                    ("dateline", "GAZA/GENEVA, May 22 (Reuters) - "),
                    ("drop", 2),
                ],
            ),
            (
                "Dawn",
                "2025-05-22T12:10:00Z",
                [
                    ("sub", "About 90 trucks", "Some 90 lorries"),
                    ("sub", "enclave", "territory"),
                ],
            ),
        ],
        "near": [
            {
                "key": "gaza-aid-looted",
                "publisher": "Al Arabiya English",
                "published": "2025-05-23T09:00:00Z",
                "title": "Aid trucks looted in southern Gaza, UN says",
                "excerpt": (
                    "Fifteen trucks carrying flour to UN warehouses in Khan Younis were looted "
                    "overnight after entering the Gaza Strip through the Kerem Shalom crossing, the "
                    "World Food Programme said on Thursday. UN spokesperson Stephane Dujarric said "
                    "hungry crowds stopped the convoy on the road from the crossing. The agency "
                    "called on Israel to allow more trucks and safer routes. Israel blamed Hamas "
                    "for the looting, which the group denied."
                ),
            },
        ],
    },
    {
        "key": "emirates-order",
        "split": "dev",
        "publisher": "Khaleej Times",
        "published": "2025-11-17T08:30:00Z",
        "title": "Emirates orders 65 more Boeing 777-9 jets at Dubai Airshow",
        "excerpt": (
            "Emirates ordered 65 additional Boeing 777-9 aircraft worth $38 billion at list prices "
            "on the opening day of the Dubai Airshow on Monday, taking its backlog for the delayed "
            "jet to 270. Emirates chairman Sheikh Ahmed bin Saeed Al Maktoum announced the order "
            "alongside Boeing Commercial Airplanes chief Stephanie Pope. The airline also said it "
            "would take eight more Airbus A350-900s. Boeing expects the first 777-9 to be "
            "delivered in 2027, seven years later than planned, after certification delays. "
            "Emirates president Tim Clark said the airline needed the planes to replace older "
            "777s and A380s."
        ),
        "copies": [
            ("Gulf News", "2025-11-17T09:00:00Z", [("dateline", "DUBAI, Nov 17 (Reuters) - ")]),
            (
                "The National",
                "2025-11-17T09:20:00Z",
                [
                    ("title", "Dubai Airshow: Emirates places $38bn order for Boeing 777X"),
                    ("drop", 2),
                    ("sub", "announced the order", "unveiled the deal"),
                ],
            ),
            ("Yahoo", "2025-11-17T11:00:00Z", [("lead", 2)]),
        ],
        "near": [
            {
                "key": "flydubai-order",
                "publisher": "Khaleej Times",
                "published": "2025-11-17T13:00:00Z",
                "title": "Flydubai orders 75 Boeing 737 MAX jets at Dubai Airshow",
                "excerpt": (
                    "Flydubai ordered 75 Boeing 737 MAX jets on the opening day of the Dubai "
                    "Airshow on Monday, a deal valued at $12 billion at list prices. Sheikh Ahmed "
                    "bin Saeed Al Maktoum, who chairs both Flydubai and Emirates, announced the order "
                    "alongside Boeing Commercial Airplanes chief Stephanie Pope. The low-cost carrier "
                    "has struggled with late deliveries from Boeing. Flydubai chief executive Ghaith "
                    "Al Ghaith said the jets would let the airline open new routes in Africa and "
                    "Central Asia."
                ),
                "copies": [
                    (
                        "Arab News",
                        "2025-11-17T14:10:00Z",
                        [
                            ("title", "Dubai's low-cost carrier Flydubai buys 75 Boeing 737 MAX"),
                            ("dateline", "DUBAI: "),
                        ],
                    ),
                ],
            },
        ],
    },
    {
        "key": "cricket-pak-win",
        "split": "dev",
        "publisher": "Dawn",
        "published": "2025-02-19T17:30:00Z",
        "title": "Babar, Rizwan lead Pakistan to six-wicket win over New Zealand in Karachi",
        "excerpt": (
            "Babar Azam scored 87 and Mohammad Rizwan made an unbeaten 75 as Pakistan beat New "
            "Zealand by six wickets in Karachi on Wednesday. New Zealand, put in to bat, made "
            "268 for nine with Devon Conway top-scoring on 64. Pakistan reached the target with "
            "nine balls to spare after a 142-run stand for the third wicket between Babar and "
            "Rizwan. Shaheen Shah Afridi took three wickets for 46 runs. The two teams meet again "
            "in Lahore on Sunday."
        ),
        "copies": [
            (
                "Arab News",
                "2025-02-19T18:15:00Z",
                [
                    ("title", "Pakistan beat New Zealand by six wickets as Babar hits 87"),
                    ("sub", "Wednesday", "Wednesday night"),
                ],
            ),
            ("Yahoo", "2025-02-19T19:00:00Z", [("dateline", "KARACHI (AFP) - "), ("drop", 3)]),
        ],
        "near": [
            {
                "key": "cricket-nz-win-lahore",
                "publisher": "Dawn",
                "published": "2025-02-23T17:40:00Z",
                "title": "New Zealand beat Pakistan by five wickets in Lahore",
                "excerpt": (
                    "Devon Conway scored an unbeaten 102 as New Zealand beat Pakistan by five "
                    "wickets in Lahore on Sunday to level the series. Pakistan, put in to bat, made "
                    "251 for eight with Babar Azam top-scoring on 58 and Mohammad Rizwan adding 41. "
                    "New Zealand reached the target with an over to spare. Shaheen Shah Afridi took "
                    "two wickets for 52 runs. The deciding match is in Rawalpindi on Wednesday."
                ),
            },
        ],
    },
    {
        "key": "saudi-pif-stake",
        "split": "dev",
        "publisher": "Arab News",
        "published": "2025-03-11T07:00:00Z",
        "title": "Saudi wealth fund PIF transfers 8% Aramco stake to its investment arm",
        "excerpt": (
            "Saudi Arabia's Public Investment Fund has transferred an 8% stake in oil giant Aramco "
            "to a wholly owned company, a stock exchange filing showed on Tuesday. The stake, worth "
            "about $164 billion, was moved to Sanabil Investments to manage the fund's portfolio "
            "more flexibly. The government remains Aramco's biggest shareholder with about 81.5% "
            "of the company. The PIF, which manages more than $925 billion in assets, is the main "
            "vehicle of Crown Prince Mohammed bin Salman's plan to diversify the economy away from "
            "oil."
        ),
        "copies": [
            (
                "Al Arabiya English",
                "2025-03-11T07:30:00Z",
                [
                    ("title", "PIF moves $164 bln Aramco stake to Sanabil, filing shows"),
                    ("dateline", "RIYADH/DUBAI, March 11 (Reuters) - "),
                ],
            ),
            (
                "Gulf News",
                "2025-03-11T08:05:00Z",
                [
                    ("sub", "oil giant Aramco", "state oil company Aramco"),
                    ("sub", "showed", "revealed"),
                    ("sub", "biggest", "largest"),
                ],
            ),
        ],
        "near": [
            {
                "key": "aramco-dividend-cut",
                "publisher": "Arab News",
                "published": "2025-03-04T06:00:00Z",
                "title": "Aramco cuts dividend as profit falls; PIF stake worth $164 billion",
                "excerpt": (
                    "Saudi Aramco cut its performance-linked dividend on Tuesday after annual "
                    "profit fell 12% to $106 billion on lower oil prices. The government remains "
                    "Aramco's biggest shareholder with about 81.5% of the company, and the Public "
                    "Investment Fund holds a further 16%. The cut reduces payouts to the state by "
                    "about $30 billion this year. Chief executive Amin Nasser said the company "
                    "would keep investing in gas and chemicals."
                ),
            },
        ],
    },
    {
        "key": "expo-city-visitors",
        "split": "dev",
        "publisher": "Khaleej Times",
        "published": "2025-01-08T09:00:00Z",
        "title": "Expo City Dubai welcomed 5 million visitors in 2024",
        "excerpt": (
            "Expo City Dubai welcomed more than five million visitors in 2024, up 40 percent from a "
            "year earlier, the developer said on Wednesday. The former World Expo site hosted 520 "
            "events, including the COP28 climate conference follow-up meetings and the Dubai "
            "Esports Festival. Amna Abulhoul, executive director of Expo City Dubai, said the "
            "Garden in the Sky and the Terra sustainability pavilion were the most visited "
            "attractions. The district will open two new schools and a 300-home residential "
            "project in 2025."
        ),
        "copies": [
            # Same minute as the wire story: a tie, broken by id.
            ("The National", "2025-01-08T09:00:00Z", [("identical",)]),
            (
                "Gulf News",
                "2025-01-08T10:00:00Z",
                [
                    ("title", "Expo City Dubai footfall tops five million as events grow"),
                    ("dateline", "DUBAI: "),
                ],
            ),
        ],
        "near": [
            {
                "key": "expo-city-schools",
                "publisher": "Khaleej Times",
                "published": "2025-01-20T09:00:00Z",
                "title": "Expo City Dubai to open two schools in September",
                "excerpt": (
                    "Expo City Dubai will open two new schools in September with places for 3,000 "
                    "pupils, the developer said on Monday. Amna Abulhoul, executive director of "
                    "Expo City Dubai, said applications would open next month. The schools will "
                    "follow the British and International Baccalaureate curricula. The former World "
                    "Expo site is also building a 300-home residential project."
                ),
            },
        ],
    },
    {
        "key": "earthquake-afghanistan",
        "split": "dev",
        "publisher": "Dawn",
        "published": "2025-09-01T04:30:00Z",
        "title": "Earthquake kills at least 800 in eastern Afghanistan",
        "excerpt": (
            "A magnitude 6.0 earthquake struck eastern Afghanistan late on Sunday, killing at least "
            "800 people and injuring more than 2,500, the Taliban government said. The quake hit "
            "near the city of Jalalabad in Nangarhar province at a depth of eight kilometres, the "
            "US Geological Survey said. Most of the casualties were in Kunar province, where "
            "villages of mud-brick homes collapsed on sleeping families. Rescuers struggled to reach "
            "remote mountain areas cut off by landslides. Government spokesman Zabihullah Mujahid "
            "said the death toll was expected to rise."
        ),
        "copies": [
            (
                "Arab News",
                "2025-09-01T05:10:00Z",
                [
                    ("dateline", "KABUL, Sept 1 (Reuters) - "),
                    ("title", "Afghan quake death toll passes 800, Taliban say"),
                ],
            ),
            (
                "Yahoo",
                "2025-09-01T06:00:00Z",
                [
                    ("drop", 3),
                    ("sub", "struck", "hit"),
                    ("sub", "injuring", "wounding"),
                ],
            ),
        ],
        "near": [
            {
                "key": "earthquake-toll-rises",
                "publisher": "Dawn",
                "published": "2025-09-02T05:00:00Z",
                "title": "Afghan quake death toll rises to 1,400 as aid arrives",
                "excerpt": (
                    "The death toll from the earthquake in eastern Afghanistan rose to 1,411 on "
                    "Tuesday, the Taliban government said, as the first international aid flights "
                    "landed in Jalalabad. A magnitude 6.0 earthquake struck eastern Afghanistan late "
                    "on Sunday. Most of the casualties were in Kunar province, where villages of "
                    "mud-brick homes collapsed on sleeping families. The UN said it had released $5 "
                    "million from its emergency fund. Government spokesman Zabihullah Mujahid said "
                    "more than 5,000 homes had been destroyed."
                ),
            },
        ],
    },
    {
        "key": "egypt-inflation",
        "split": "dev",
        "publisher": "Al Arabiya English",
        "published": "2025-07-10T11:00:00Z",
        "title": "Egypt's urban inflation eases to 14.9% in June",
        "excerpt": (
            "Egypt's annual urban consumer price inflation eased to 14.9% in June from 16.8% in "
            "May, the statistics agency CAPMAS said on Thursday, helped by slower food price "
            "increases. Food and beverage prices rose 0.4% on the month. Inflation has fallen "
            "steadily from a record 38% in September 2023 after Egypt signed an $8 billion "
            "support package with the International Monetary Fund. The central bank meets on July "
            "10 to decide on interest rates."
        ),
        "copies": [
            (
                "Arab News",
                "2025-07-10T11:30:00Z",
                [
                    ("title", "Egypt inflation slows more than expected in June"),
                    ("dateline", "CAIRO (Reuters) - "),
                    ("sub", "eased", "slowed"),
                ],
            ),
        ],
        "near": [
            {
                "key": "egypt-inflation-july",
                "publisher": "Al Arabiya English",
                "published": "2025-08-10T11:00:00Z",
                "title": "Egypt's urban inflation eases to 13.9% in July",
                "excerpt": (
                    "Egypt's annual urban consumer price inflation eased to 13.9% in July from "
                    "14.9% in June, the statistics agency CAPMAS said on Sunday. Food and beverage "
                    "prices fell 0.5% on the month. Inflation has fallen steadily from a record 38% "
                    "in September 2023 after Egypt signed an $8 billion support package with the "
                    "International Monetary Fund. The central bank cut rates by 200 basis points in "
                    "April and May."
                ),
            },
        ],
    },
    # ---- test split: held out, scored only once the thresholds were fixed ----
    {
        "key": "qatar-lng-deal",
        "split": "test",
        "publisher": "Gulf News",
        "published": "2025-02-05T08:00:00Z",
        "title": "QatarEnergy signs 15-year LNG supply deal with India's Petronet",
        "excerpt": (
            "QatarEnergy has signed a 15-year agreement to supply 7.5 million tonnes a year of "
            "liquefied natural gas to India's Petronet LNG from 2028, the companies said on "
            "Tuesday. The deal, signed in Goa during India Energy Week, renews a 1999 contract that "
            "expires in 2028 at a lower price. Qatari energy minister Saad al-Kaabi said the "
            "agreement reflected the strong partnership between the two countries. India is the "
            "world's fourth-largest LNG importer and wants gas to make up 15% of its energy mix by "
            "2030."
        ),
        "copies": [
            (
                "Khaleej Times",
                "2025-02-05T08:40:00Z",
                [
                    ("title", "Qatar, India's Petronet seal 15-year gas supply agreement"),
                    ("dateline", "DOHA/NEW DELHI, Feb 5 (Reuters) - "),
                ],
            ),
            (
                "The National",
                "2025-02-05T09:30:00Z",
                [
                    ("drop", 3),
                    ("sub", "said on", "announced on"),
                ],
            ),
            ("Yahoo", "2025-02-05T10:00:00Z", [("identical",)]),
        ],
        "near": [
            {
                "key": "qatar-lng-germany",
                "publisher": "Gulf News",
                "published": "2025-02-06T08:00:00Z",
                "title": "QatarEnergy signs 15-year LNG supply deal with Germany's SEFE",
                "excerpt": (
                    "QatarEnergy has signed a 15-year agreement to supply 2 million tonnes a year of "
                    "liquefied natural gas to Germany's SEFE from 2026, the companies said on "
                    "Wednesday. The cargoes will be delivered to the Brunsbuettel terminal on the "
                    "North Sea coast. Qatari energy minister Saad al-Kaabi said Europe would need "
                    "Qatari gas for decades. Germany has been seeking new suppliers since Russian "
                    "pipeline flows stopped in 2022."
                ),
            },
        ],
    },
    {
        "key": "jordan-flood",
        "split": "test",
        "publisher": "Arab News",
        "published": "2025-03-24T16:00:00Z",
        "title": "Flash floods kill 4 in Jordan's Ma'an, schools closed",
        "excerpt": (
            "Flash floods killed four people, including two children, in Jordan's southern Ma'an "
            "governorate on Monday after heavy rain, the civil defence directorate said. Rescue "
            "teams pulled 35 people from vehicles swept away on the desert highway. The education "
            "ministry closed schools in Ma'an, Aqaba and Tafileh on Tuesday. The meteorological "
            "department warned of more thunderstorms and urged people to avoid valleys. In 2018, "
            "flash floods near the Dead Sea killed 21 people, most of them schoolchildren."
        ),
        "copies": [
            (
                "Gulf News",
                "2025-03-24T17:00:00Z",
                [
                    ("dateline", "AMMAN: "),
                    ("sub", "killed four people", "left four people dead"),
                    ("drop", 4),
                ],
            ),
            (
                "Al Arabiya English",
                "2025-03-24T17:30:00Z",
                [
                    ("title", "Four dead as floods hit southern Jordan"),
                ],
            ),
        ],
        "near": [
            {
                "key": "jordan-flood-warning",
                "publisher": "Arab News",
                "published": "2025-03-23T10:00:00Z",
                "title": "Jordan warns of flash floods in the south, schools on alert",
                "excerpt": (
                    "Jordan's meteorological department warned of flash floods in the southern "
                    "governorates of Ma'an, Aqaba and Tafileh from Monday as a low-pressure system "
                    "brings heavy rain. The civil defence directorate said rescue teams had been "
                    "deployed along the desert highway. The education ministry said schools would "
                    "stay open but could close at short notice. The meteorological department urged "
                    "people to avoid valleys."
                ),
            },
        ],
    },
    {
        "key": "morocco-world-cup-stadium",
        "split": "test",
        "publisher": "Al Arabiya English",
        "published": "2025-09-04T12:00:00Z",
        "title": "Morocco opens rebuilt Prince Moulay Abdellah stadium ahead of World Cup",
        "excerpt": (
            "Morocco opened the rebuilt Prince Moulay Abdellah stadium in Rabat on Thursday, a "
            "68,700-seat venue that will host matches at the Africa Cup of Nations in December and "
            "the 2030 World Cup. The stadium was rebuilt in less than two years at a cost of about "
            "$380 million. King Mohammed VI was represented by Crown Prince Moulay El Hassan at "
            "the opening, where Morocco beat Niger 5-0 in a World Cup qualifier. Morocco will "
            "co-host the 2030 World Cup with Spain and Portugal."
        ),
        "copies": [
            (
                "Arab News",
                "2025-09-05T06:00:00Z",
                [
                    ("title", "Rabat's new 68,700-seat stadium opens with 5-0 win"),
                    ("dateline", "RABAT (AFP) - "),
                    ("sub", "rebuilt", "renovated"),
                ],
            ),
            ("Yahoo", "2025-09-05T07:00:00Z", [("lead", 2)]),
        ],
        "near": [
            {
                "key": "morocco-afcon-draw",
                "publisher": "Al Arabiya English",
                "published": "2025-09-20T12:00:00Z",
                "title": "Morocco drawn with Mali in Africa Cup of Nations group at Rabat stadium",
                "excerpt": (
                    "Hosts Morocco were drawn with Mali, Zambia and Comoros in Group A of the Africa "
                    "Cup of Nations at a ceremony in Rabat on Saturday. The opening match will be "
                    "played at the Prince Moulay Abdellah stadium in Rabat, a 68,700-seat venue that "
                    "will also host matches at the 2030 World Cup. Morocco will co-host the 2030 World "
                    "Cup with Spain and Portugal. The tournament runs from December 21 to January 18."
                ),
            },
        ],
    },
    {
        "key": "kuwait-cabinet",
        "split": "test",
        "publisher": "Gulf News",
        "published": "2025-10-12T07:30:00Z",
        "title": "Kuwait's emir appoints new oil minister in cabinet reshuffle",
        "excerpt": (
            "Kuwait's Emir Sheikh Meshal Al-Ahmad Al-Jaber Al-Sabah appointed Tareq Al-Roumi as oil "
            "minister on Sunday in a cabinet reshuffle that also named new finance and health "
            "ministers, state news agency KUNA reported. Al-Roumi, a former executive at Kuwait "
            "Petroleum Corporation, replaces Imad Al-Atiqi. Kuwait, OPEC's fourth-largest producer, "
            "plans to raise production capacity to 4 million barrels per day by 2035. The emir "
            "suspended parliament in May 2024 for up to four years."
        ),
        "copies": [
            (
                "Arab News",
                "2025-10-12T08:00:00Z",
                [
                    ("dateline", "KUWAIT CITY, Oct 12 (Reuters) - "),
                    ("title", "Kuwait names Tareq Al-Roumi oil minister, KUNA says"),
                    ("drop", 3),
                ],
            ),
            ("The National", "2025-10-12T09:00:00Z", [("identical",)]),
        ],
        "near": [
            {
                "key": "kuwait-oil-capacity",
                "publisher": "Gulf News",
                "published": "2025-10-20T07:30:00Z",
                "title": "Kuwait's new oil minister pledges to raise output capacity",
                "excerpt": (
                    "Kuwait's new oil minister Tareq Al-Roumi said on Monday the country would spend "
                    "$40 billion over five years to raise production capacity, state news agency KUNA "
                    "reported. Kuwait, OPEC's fourth-largest producer, plans to raise production "
                    "capacity to 4 million barrels per day by 2035. Al-Roumi, a former executive at "
                    "Kuwait Petroleum Corporation, said offshore exploration would start next year."
                ),
            },
        ],
    },
    {
        "key": "oman-tourism",
        "split": "test",
        "publisher": "Khaleej Times",
        "published": "2025-05-14T06:00:00Z",
        "title": "Oman launches visa-free entry for 103 countries for 14 days",
        "excerpt": (
            "Oman will allow citizens of 103 countries to enter the sultanate without a visa for "
            "stays of up to 14 days from June 1, the Royal Oman Police said on Wednesday. Visitors "
            "must hold a return ticket, a hotel booking and health insurance. The tourism ministry "
            "wants to attract 11.7 million visitors a year by 2040 under the Oman Vision 2040 plan. "
            "Hotel revenue in the sultanate rose 9% last year to 258 million rials."
        ),
        "copies": [
            (
                "Gulf News",
                "2025-05-14T07:00:00Z",
                [
                    ("title", "Visa-free Oman: 103 nationalities can visit for two weeks"),
                    ("dateline", "MUSCAT: "),
                    ("sub", "sultanate", "country"),
                ],
            ),
        ],
        "near": [
            {
                "key": "oman-evisa-fees",
                "publisher": "Khaleej Times",
                "published": "2025-05-20T06:00:00Z",
                "title": "Oman cuts tourist e-visa fees for 30-day stays",
                "excerpt": (
                    "Oman cut the fee for a 30-day tourist e-visa to 5 rials from 20 rials, the Royal "
                    "Oman Police said on Tuesday. The change follows visa-free entry for citizens of "
                    "103 countries for stays of up to 14 days. The tourism ministry wants to attract "
                    "11.7 million visitors a year by 2040 under the Oman Vision 2040 plan. Visitors "
                    "must still hold health insurance."
                ),
            },
        ],
    },
    {
        "key": "ai-regulation-uae",
        "split": "test",
        "publisher": "The National",
        "published": "2025-04-14T10:00:00Z",
        "title": "UAE to use AI to help write and review its laws",
        "excerpt": (
            "The UAE will use artificial intelligence to help write new laws and review existing "
            "ones, the government said on Monday, in what it called a world first. A new "
            "Regulatory Intelligence Office will track the effect of laws on people and the "
            "economy using a large database of federal and local legislation, court rulings and "
            "government services. Sheikh Mohammed bin Rashid Al Maktoum, Vice President and Ruler "
            "of Dubai, said AI would speed up legislation by 70 percent. Experts warned that AI "
            "systems could produce errors that are hard for lawmakers to spot."
        ),
        "copies": [
            (
                "Gulf News",
                "2025-04-14T10:30:00Z",
                [
                    ("title", "Dubai Ruler: AI will speed up lawmaking by 70%"),
                    ("drop", 3),
                ],
            ),
            (
                "Yahoo",
                "2025-04-14T12:00:00Z",
                [
                    ("dateline", "DUBAI (AFP) - "),
                    ("sub", "artificial intelligence", "AI"),
                    ("sub", "world first", "global first"),
                ],
            ),
        ],
        "near": [
            {
                "key": "ai-uae-schools",
                "publisher": "The National",
                "published": "2025-05-04T10:00:00Z",
                "title": "UAE to teach AI in all government schools from September",
                "excerpt": (
                    "The UAE will teach artificial intelligence as a subject in all government "
                    "schools from kindergarten to grade 12 from the next academic year, the "
                    "government said on Sunday. Sheikh Mohammed bin Rashid Al Maktoum, Vice "
                    "President and Ruler of Dubai, said the curriculum would cover ethics, data and "
                    "real-world applications. Teachers will receive training over the summer."
                ),
            },
        ],
    },
    {
        "key": "body-case",
        "split": "test",
        "publisher": "Dawn",
        "published": "2025-06-25T08:00:00Z",
        "title": "Pakistan raises petrol price by Rs4.80 per litre",
        "excerpt": (
            "Pakistan raised the price of petrol by Rs4.80 per litre to Rs258.43 from Tuesday, "
            "the finance ministry said in a notification, citing higher international oil prices. "
            "The price of high-speed diesel rose by Rs7.95 to Rs270.98 per litre. The government "
            "also increased the petroleum levy to Rs78 per litre under commitments to the "
            "International Monetary Fund. Transporters in Karachi said they would raise fares."
        ),
        "copies": [
            (
                "Arab News",
                "2025-06-25T09:00:00Z",
                [
                    ("dateline", "ISLAMABAD: "),
                    (
                        "body",
                        (
                            "The increase is the second in a month. Prices were cut in early June after "
                            "a fall in global crude prices.\n\nThe Oil and Gas Regulatory Authority said "
                            "stocks of petrol were sufficient for 21 days."
                        ),
                    ),
                ],
            ),
        ],
        "near": [
            {
                "key": "pakistan-petrol-cut",
                "publisher": "Dawn",
                "published": "2025-07-15T08:00:00Z",
                "title": "Pakistan cuts petrol price by Rs2.50 per litre",
                "excerpt": (
                    "Pakistan cut the price of petrol by Rs2.50 per litre to Rs255.93 from "
                    "Wednesday, the finance ministry said in a notification, citing lower "
                    "international oil prices. The price of high-speed diesel was left unchanged at "
                    "Rs270.98 per litre. The petroleum levy stays at Rs78 per litre."
                ),
            },
        ],
    },
    # ---- hard split: written after the dev and test scores, to find where the method stops.
    # Copies a reader would call copies but whose text changed a lot, and different stories
    # whose text is mostly the same. Scored and reported apart from dev and test.
    {
        "key": "hard-teaser",
        "split": "hard",
        "publisher": "Arab News",
        "published": "2025-08-04T07:00:00Z",
        "title": "Saudi Arabia's non-oil activity grows at fastest pace in two years, PMI shows",
        "excerpt": (
            "Saudi Arabia's non-oil private sector grew at its fastest pace in two years in July, "
            "a business survey showed on Monday, as new orders and output rose sharply. The Riyad "
            "Bank Saudi Arabia Purchasing Managers' Index rose to 58.3 from 56.5 in June. The "
            "new orders sub-index climbed to 63.2, while employment growth eased slightly. "
            "Input costs rose at the fastest rate in a year, driven by higher wages and "
            "materials prices. Businesses remained optimistic about the year ahead, citing "
            "government projects and strong demand."
        ),
        "copies": [
            # A card showing only the lede: a third of the words.
            ("Yahoo", "2025-08-04T08:00:00Z", [("lead", 1)]),
        ],
        "near": [
            {
                "key": "hard-pmi-next-month",
                "publisher": "Arab News",
                "published": "2025-09-03T07:00:00Z",
                "title": "Saudi Arabia's non-oil activity slows in August, PMI shows",
                "excerpt": (
                    "Saudi Arabia's non-oil private sector grew at a slower pace in August, a "
                    "business survey showed on Wednesday, as new orders and output eased. The "
                    "Riyad Bank Saudi Arabia Purchasing Managers' Index fell to 56.4 from 58.3 in "
                    "July. The new orders sub-index slipped to 60.1, while employment growth "
                    "eased slightly. Input costs rose at the slowest rate in a year, driven by "
                    "lower materials prices. Businesses remained optimistic about the year ahead, "
                    "citing government projects and strong demand."
                ),
            },
        ],
    },
    {
        "key": "hard-rewrite",
        "split": "hard",
        "publisher": "Gulf News",
        "published": "2025-10-06T09:00:00Z",
        "title": "Dubai property sales hit record Dh180 billion in third quarter",
        "excerpt": (
            "Dubai's real estate sales reached a record 180 billion dirhams ($49 billion) in the "
            "third quarter, up 22% from a year earlier, data from the Dubai Land Department showed "
            "on Monday. The number of transactions rose 19% to 52,000. Off-plan sales made up 68% "
            "of the total as developers launched new projects in Dubai South and Jumeirah Village "
            "Circle. Foreign buyers from India, Britain and Russia led purchases."
        ),
        "copies": [
            # The same facts retold in the publisher's own words, every sentence rewritten.
            (
                "Khaleej Times",
                "2025-10-06T11:00:00Z",
                [
                    ("title", "Record quarter for Dubai real estate as sales top Dh180bn"),
                    (
                        "rewrite",
                        (
                            "Property deals in Dubai hit an all-time high of Dh180 billion between July "
                            "and September, according to Dubai Land Department figures released on "
                            "Monday, a 22 per cent jump on the same period last year. Some 52,000 deals "
                            "were recorded, 19 per cent more than a year ago. Most of them, 68 per cent, "
                            "were off-plan, with new launches in Dubai South and JVC. Indian, British and "
                            "Russian investors were the most active buyers."
                        ),
                    ),
                ],
            ),
        ],
        "near": [
            {
                "key": "hard-property-q2",
                "publisher": "Gulf News",
                "published": "2025-07-07T09:00:00Z",
                "title": "Dubai property sales hit record Dh160 billion in second quarter",
                "excerpt": (
                    "Dubai's real estate sales reached a record 160 billion dirhams ($44 billion) "
                    "in the second quarter, up 18% from a year earlier, data from the Dubai Land "
                    "Department showed on Monday. The number of transactions rose 15% to 48,000. "
                    "Off-plan sales made up 65% of the total as developers launched new projects "
                    "in Dubai South and Jumeirah Village Circle. Foreign buyers from India, "
                    "Britain and Russia led purchases."
                ),
            },
        ],
    },
    {
        "key": "hard-body",
        "split": "hard",
        "publisher": "Dawn",
        "published": "2025-07-21T06:00:00Z",
        "title": "Monsoon rains kill 12 in Punjab as rivers swell",
        "excerpt": (
            "At least 12 people were killed in Pakistan's Punjab province as heavy monsoon rains "
            "flooded streets and swelled rivers, the provincial disaster management authority said "
            "on Monday."
        ),
        "copies": [
            # Its story page fetched: the excerpt plus five paragraphs the card never showed.
            (
                "Arab News",
                "2025-07-21T08:00:00Z",
                [
                    (
                        "body",
                        (
                            "Most of the deaths were caused by roofs collapsing and electrocution in "
                            "Lahore, Faisalabad and Okara, the authority said in a statement.\n\nThe "
                            "Ravi and Chenab rivers were in high flood near Sialkot, and authorities "
                            "evacuated more than 3,000 people from low-lying villages.\n\nThe Pakistan "
                            "Meteorological Department forecast more rain until Thursday and warned of "
                            "urban flooding in Rawalpindi and Islamabad.\n\nPunjab chief minister "
                            "Maryam Nawaz ordered emergency services to remain on high alert and "
                            "announced compensation for the families of the dead.\n\nMore than 1,700 "
                            "people were killed in floods in Pakistan in 2022, when a third of the "
                            "country was under water."
                        ),
                    ),
                ],
            ),
        ],
    },
    {
        "key": "hard-spelling",
        "split": "hard",
        "publisher": "The National",
        "published": "2025-03-18T10:00:00Z",
        "title": "Abu Dhabi fund Mubadala to invest $1bn in Kenyan renewables",
        "excerpt": (
            "Mubadala Investment Company will invest $1 billion in renewable energy projects in "
            "Kenya over the next five years, the Abu Dhabi fund said on Tuesday. The programme "
            "will focus on geothermal and solar power, and on grid modernisation in the Rift "
            "Valley. Kenya's energy minister said the country aimed to generate 100 percent of "
            "its electricity from renewable sources by 2030. The fund has committed more than "
            "$8 billion to African projects since 2020."
        ),
        "copies": [
            # A US outlet's house style touches almost every sentence.
            (
                "Yahoo",
                "2025-03-18T13:00:00Z",
                [
                    ("sub", "$1 billion", "1 billion dollars"),
                    ("sub", "$1bn", "$1 billion"),
                    ("sub", "programme", "program"),
                    ("sub", "modernisation", "modernization"),
                    ("sub", "100 percent", "100%"),
                    ("sub", "$8 billion", "8 billion dollars"),
                    ("sub", "said on Tuesday", "said Tuesday"),
                ],
            ),
        ],
    },
    {
        "key": "hard-boilerplate",
        "split": "hard",
        "publisher": "Khaleej Times",
        "published": "2025-04-02T08:00:00Z",
        "title": "Emaar launches Dh3 billion tower in Dubai Creek Harbour",
        "excerpt": (
            "Emaar Properties launched a Dh3 billion residential tower in Dubai Creek Harbour on "
            "Wednesday, with 600 apartments due for completion in 2029. Emaar Properties is a "
            "global developer of premium real estate with a land bank in the UAE, Saudi Arabia, "
            "Egypt and India. The company developed Burj Khalifa, the world's tallest building, "
            "and The Dubai Mall, one of the world's most visited retail and leisure destinations. "
            "Emaar has delivered more than 110,000 residential units since 2002 and is listed on "
            "the Dubai Financial Market."
        ),
        "near": [
            {
                # A different announcement with the company's long "about" paragraph.
                "key": "hard-boilerplate-other",
                "publisher": "Khaleej Times",
                "published": "2025-04-28T08:00:00Z",
                "title": "Emaar names Mohamed Alabbar's deputy as new chief executive",
                "excerpt": (
                    "Emaar Properties appointed Amit Jain as group chief executive on Monday, "
                    "replacing the outgoing chief who retires in June. Emaar Properties is a "
                    "global developer of premium real estate with a land bank in the UAE, Saudi "
                    "Arabia, Egypt and India. The company developed Burj Khalifa, the world's "
                    "tallest building, and The Dubai Mall, one of the world's most visited retail "
                    "and leisure destinations. Emaar has delivered more than 110,000 residential "
                    "units since 2002 and is listed on the Dubai Financial Market."
                ),
            },
        ],
    },
    # ---- Arabic ----
    {
        "key": "ar-saudi-budget",
        "split": "dev",
        "lang": "ar",
        "publisher": "الشرق الأوسط",
        "published": "2025-12-02T09:00:00Z",
        "title": "السعودية تقر ميزانية 2026 بعجز متوقع 165 مليار ريال",
        "excerpt": (
            "أقر مجلس الوزراء السعودي يوم الثلاثاء الميزانية العامة للدولة لعام 2026 بإيرادات "
            "تقدر بنحو 1.147 تريليون ريال ونفقات تبلغ 1.313 تريليون ريال، بعجز متوقع يبلغ 165 مليار "
            "ريال. وقال ولي العهد الأمير محمد بن سلمان إن الحكومة ستواصل الإنفاق على المشاريع "
            "الكبرى التي تدعم تنويع الاقتصاد. وتتوقع وزارة المالية أن ينمو الاقتصاد بنسبة 4.6 في "
            "المئة العام المقبل. وتعتزم المملكة تمويل العجز من خلال الاقتراض المحلي والدولي."
        ),
        "copies": [
            (
                "العربية",
                "2025-12-02T09:40:00Z",
                [
                    ("title", "مجلس الوزراء يعتمد ميزانية العام المقبل بإنفاق 1.313 تريليون ريال"),
                    ("dateline", "الرياض - رويترز: "),
                ],
            ),
            (
                "سكاي نيوز عربية",
                "2025-12-02T10:30:00Z",
                [
                    ("drop", 3),
                    ("sub", "يوم الثلاثاء", "الثلاثاء"),
                ],
            ),
        ],
        "near": [
            {
                "key": "ar-saudi-budget-q3",
                "publisher": "الشرق الأوسط",
                "published": "2025-11-05T09:00:00Z",
                "title": "السعودية تسجل عجزا بقيمة 88 مليار ريال في الربع الثالث",
                "excerpt": (
                    "سجلت ميزانية السعودية عجزا بلغ 88 مليار ريال في الربع الثالث من العام، بحسب "
                    "بيانات وزارة المالية يوم الأربعاء، مع تراجع الإيرادات النفطية. وقال ولي العهد "
                    "الأمير محمد بن سلمان إن الحكومة ستواصل الإنفاق على المشاريع الكبرى. وارتفعت "
                    "الإيرادات غير النفطية بنسبة 5 في المئة على أساس سنوي."
                ),
            },
        ],
    },
    {
        "key": "ar-dubai-metro",
        "split": "test",
        "lang": "ar",
        "publisher": "البيان",
        "published": "2025-06-09T08:00:00Z",
        "title": "بدء أعمال إنشاء الخط الأزرق لمترو دبي بتكلفة 20.5 مليار درهم",
        "excerpt": (
            "أعلنت هيئة الطرق والمواصلات في دبي يوم الاثنين بدء أعمال إنشاء الخط الأزرق لمترو دبي "
            "بطول 30 كيلومترا و14 محطة، بتكلفة تبلغ 20.5 مليار درهم. وقال مطر الطاير المدير العام "
            "لهيئة الطرق والمواصلات إن الخط سيخدم نحو مليون شخص في مناطق مردف والورقاء ومدينة دبي "
            "الأكاديمية. ومن المقرر افتتاح الخط في سبتمبر 2029. ويبلغ عدد ركاب مترو دبي حاليا أكثر "
            "من 270 مليون راكب سنويا."
        ),
        "copies": [
            (
                "الخليج",
                "2025-06-09T09:00:00Z",
                [
                    ("title", "«طرق دبي» تطلق مشروع الخط الأزرق للمترو"),
                    ("dateline", "دبي - وام: "),
                    ("sub", "أعلنت", "كشفت"),
                ],
            ),
            ("العربية", "2025-06-09T10:00:00Z", [("identical",)]),
        ],
        "near": [
            {
                "key": "ar-dubai-metro-ridership",
                "publisher": "البيان",
                "published": "2025-07-01T08:00:00Z",
                "title": "مترو دبي ينقل 135 مليون راكب في النصف الأول",
                "excerpt": (
                    "نقل مترو دبي 135 مليون راكب في النصف الأول من العام بزيادة 8 في المئة، بحسب "
                    "هيئة الطرق والمواصلات في دبي. وقال مطر الطاير المدير العام لهيئة الطرق "
                    "والمواصلات إن الخط الأزرق لمترو دبي سيفتتح في سبتمبر 2029. وسجلت محطة برجمان "
                    "أعلى عدد من الركاب."
                ),
            },
        ],
    },
]

# Stories unrelated to any group: a listing is mostly these.
OTHERS = [
    (
        "dev",
        "Dawn",
        "2025-03-02T08:00:00Z",
        "Karachi port handles record container volume",
        "Karachi port handled a record 1.2 million containers in the first half of the fiscal year, "
        "the Karachi Port Trust said on Sunday. New cranes and longer working hours cut waiting times "
        "for ships to under two days. The port plans to dredge its main channel to take larger "
        "vessels by 2027.",
    ),
    (
        "dev",
        "Gulf News",
        "2025-03-03T08:00:00Z",
        "Sharjah opens new public library in Khor Fakkan",
        "Sharjah opened a new public library in Khor Fakkan on Monday with more than 60,000 books in "
        "Arabic and English. The library has a children's wing, study rooms and a digital archive of "
        "local newspapers. It is open daily from 8am to 10pm.",
    ),
    (
        "test",
        "Yahoo",
        "2025-03-04T08:00:00Z",
        "Bahrain Grand Prix sells out for third year",
        "Tickets for the Bahrain Grand Prix have sold out for the third year running, the Bahrain "
        "International Circuit said on Tuesday. The race opens the Formula One season in Sakhir on "
        "March 2. Organisers added 5,000 seats in a new grandstand at turn four.",
    ),
    (
        "test",
        "Arab News",
        "2025-03-05T08:00:00Z",
        "Saudi Arabia's first wind farm reaches full output",
        "The Dumat Al-Jandal wind farm in Al-Jouf reached full output of 400 megawatts, enough to "
        "power 70,000 homes, the energy ministry said on Wednesday. The project was developed by EDF "
        "Renewables and Masdar. Saudi Arabia wants half its electricity from renewables by 2030.",
    ),
]


def build() -> list[dict]:
    records: list[dict] = []

    def story(key: str, split: str, lang: str, g: dict, label: str) -> dict:
        return {
            "id": sid(key),
            "group": g["key"],
            "label": label,
            "edits": [],
            "split": split,
            "lang": lang,
            "publisher": g["publisher"],
            "published": g["published"],
            "title": g["title"],
            "excerpt": g["excerpt"],
            "body": None,
        }

    def add_group(g: dict, split: str, lang: str, label: str) -> None:
        base = story(g["key"], split, lang, g, label)
        members = [base]
        for n, (publisher, published, edits) in enumerate(g.get("copies", ())):
            copy = apply(base, edits)
            copy.update(
                id=sid(f"{g['key']}/copy{n}"),
                label="copy",
                publisher=publisher,
                published=published,
            )
            members.append(copy)
        records.extend(members)
        for near in g.get("near", ()):
            add_group({**near, "copies": near.get("copies", ())}, split, lang, "near_miss")

    for g in GROUPS:
        add_group(g, g["split"], g.get("lang", "en"), "original")
    for split, publisher, published, title, excerpt in OTHERS:
        key = f"other/{title}"
        records.append(
            {
                "id": sid(key),
                "group": key,
                "label": "other",
                "edits": [],
                "split": split,
                "lang": "en",
                "publisher": publisher,
                "published": published,
                "title": title,
                "excerpt": excerpt,
                "body": None,
            }
        )
    # The expected answer follows the rule, not the labels: a group's original is its
    # earliest story (published, then id); every other member points to it.
    by_group: dict[str, list[dict]] = {}
    for r in records:
        by_group.setdefault(r["group"], []).append(r)
    for members in by_group.values():
        first = min(members, key=lambda r: (r["published"], r["id"]))
        for r in members:
            r["expected_duplicate_of"] = None if r is first else first["id"]
    return records


def main() -> None:
    records = build()
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))
    with OUT.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    copies = sum(r["expected_duplicate_of"] is not None for r in records)
    print(f"{OUT}: {len(records)} stories, {copies} copies, {len(by_key(records))} groups")


def by_key(records: list[dict]) -> set[str]:
    return {r["group"] for r in records}


if __name__ == "__main__":
    main()
