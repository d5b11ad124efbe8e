"""The three fictional councils' hack days: names, ideas, votes and trials (all made up)."""

from __future__ import annotations

from tools.demo.story import CouncilStory, Idea, Metric, TrialStory, Vote

FIRST_NAMES = (
    "Aisha",
    "Alan",
    "Amir",
    "Angela",
    "Anwen",
    "Ben",
    "Bethan",
    "Callum",
    "Carys",
    "Chloe",
    "Craig",
    "Daniel",
    "Deborah",
    "Dylan",
    "Eilidh",
    "Emma",
    "Fatima",
    "Fiona",
    "Gareth",
    "Grace",
    "Hamish",
    "Hannah",
    "Harpreet",
    "Ian",
    "Imran",
    "Isla",
    "James",
    "Jasmine",
    "Joanne",
    "Kerry",
    "Kwame",
    "Laura",
    "Lewis",
    "Lowri",
    "Mark",
    "Megan",
    "Mohammed",
    "Morag",
    "Natalie",
    "Niamh",
    "Oliver",
    "Olumide",
    "Owain",
    "Paul",
    "Priya",
    "Rachel",
    "Rhys",
    "Ruth",
    "Sadia",
    "Sarah",
    "Sean",
    "Sian",
    "Simon",
    "Sophie",
    "Stuart",
    "Tariq",
    "Tom",
    "Yasmin",
    "Zoe",
    "Euan",
)
SURNAMES = (
    "Ahmed",
    "Anderson",
    "Bailey",
    "Begum",
    "Bell",
    "Campbell",
    "Chowdhury",
    "Clarke",
    "Davies",
    "Edwards",
    "Evans",
    "Fraser",
    "Graham",
    "Griffiths",
    "Hughes",
    "Hussain",
    "Jenkins",
    "Jones",
    "Kaur",
    "Khan",
    "Lewis",
    "MacDonald",
    "Mackenzie",
    "Mensah",
    "Morgan",
    "Murray",
    "Okafor",
    "Owen",
    "Patel",
    "Phillips",
    "Price",
    "Reid",
    "Roberts",
    "Robertson",
    "Ross",
    "Scott",
    "Shah",
    "Singh",
    "Smith",
    "Stewart",
    "Taylor",
    "Thomas",
    "Thompson",
    "Walker",
    "Watson",
    "Williams",
    "Wilson",
    "Wright",
)


def months(n: int) -> int:
    return n * 30


NORTHBROOK_IDEAS = (
    Idea(
        "ctax_sms",
        "revenues_and_benefits",
        "Text residents before their council tax instalment is due",
        "About 6,800 households a month miss an instalment, mostly because they forget. Each one gets a "
        "posted reminder (about 48p each) and many then phone us; recovery staff spend around 60 hours a "
        "week chasing payments that would have been made with a nudge.",
        "Send an SMS three days before each instalment to residents who pay by cash or card and have given "
        "us a mobile number, with a link to pay online. Keep the posted reminder only for those without one.",
        (38_000, "pounds", "both", "postage and printing of first reminders, plus recovery staff time"),
        ("council-tax", "sms", "reminders", "recovery"),
        ("GOV.UK Notify",),
        1,
        (
            "We tried something like this in 2019 but the numbers on the system were out of date - worth a "
            "data clean first.",
            "Could the text include the amount due? People ring to ask that.",
        ),
    ),
    Idea(
        "chatbot",
        "customer_services",
        "Chatbot on the website to answer council tax and benefits questions",
        "The contact centre takes about 2,100 calls a week on council tax and benefits, a third of them "
        "outside the busiest hours, and callers wait 12 minutes on average in January and March.",
        "Put a chatbot on the council tax and benefits pages that answers common questions 24/7 "
        "(how to pay, discounts, moving home) and hands over to an adviser when it cannot help.",
        (2_600, "hours", "both", "a third of calls answered by the bot at 7 minutes a call"),
        ("chatbot", "contact-centre", "council-tax", "benefits", "24-7"),
        (),
        1,
        ("Most of my calls are 'why has my bill gone up' - a bot would need to see the account.",),
        public_summary="A chatbot (a virtual assistant) on our website answering residents' council tax and "
        "benefits questions in the evening and at weekends, handing over to an adviser when it cannot help.",
    ),
    Idea(
        "care_devices",
        "adult_social_care",
        "Tablets for home care workers to update care notes during visits",
        "Home care workers write notes on paper during visits, then type them up at the office at the end "
        "of a shift: about 120 hours a week across the service, and notes reach the system a day late.",
        "Give each home care worker a tablet with the care record app so notes are written once, at the "
        "visit, and are there for the next carer straight away.",
        (6_000, "hours", "staff", "120 hours a week of typing up, half of it saved"),
        ("home-care", "mobile-working", "care-records"),
        ("Home care providers",),
        1,
        ("Signal is poor in the villages - the app must work offline.",),
    ),
    Idea(
        "ctax_sms_dup",
        "revenues_and_benefits",
        "SMS nudges for council tax payers",
        "People forget their instalment date and then get a reminder letter, which costs us postage.",
        "Send people a text message a few days before the payment date.",
        None,
        ("council-tax", "sms"),
        (),
    ),
    Idea(
        "missed_bins",
        "waste_and_recycling",
        "Crews photograph bins not put out, to answer missed-bin calls",
        "About 40% of 'missed bin' reports are bins that were not out on time. Each report costs a call, a "
        "return visit and often a complaint, around 350 return trips a month.",
        "Crews take a photo in the in-cab app when a bin is not presented; the contact centre sees it and "
        "can tell the resident at once, and the crew does not go back.",
        (22_000, "pounds", "both", "fewer return trips at about £60 each"),
        ("missed-bins", "in-cab", "failure-demand"),
        (),
        1,
        ("Crews will want to know how the photos are used - talk to the unions early.",),
    ),
    Idea(
        "missed_bins_named",
        "waste_and_recycling",
        "Sort out the repeated missed bins at 14 Mill Lane",
        "Mrs P. Harris at 14 Mill Lane has had her bin missed six times since June and rings every week.",
        "Put a note on the round sheet for this address and check it is collected.",
        None,
        ("missed-bins",),
        (),
    ),
    Idea(
        "garden_waste_renewals",
        "waste_and_recycling",
        "Renew garden waste subscriptions automatically",
        "Every February 14,000 garden waste subscribers must renew by hand; the contact centre takes about "
        "3,000 calls in four weeks and some people lose their collections for a month.",
        "Offer continuous card payment so the subscription renews each year unless cancelled, with an email "
        "a month before.",
        (1_200, "hours", "both", "3,000 calls at 12 minutes, plus fewer lapsed collections"),
        ("garden-waste", "subscriptions", "payments"),
        (),
    ),
    Idea(
        "potholes_photos",
        "highways_and_transport",
        "Let residents report potholes with a photo and a map pin",
        "Pothole reports by phone often give the wrong location, so inspectors spend time finding them; "
        "about one in five inspections cannot find the defect at first.",
        "Use the existing online form with a required map pin and optional photo, and send the report "
        "straight to the inspector's tablet.",
        (900, "hours", "staff", "inspector time finding defects"),
        ("potholes", "reporting", "maps"),
        (),
    ),
    Idea(
        "parking_permits",
        "highways_and_transport",
        "Virtual resident parking permits",
        "We post 9,000 paper permits a year; lost permits, changes of car and renewals take a clerk half her week.",
        "Hold permits against the registration number; enforcement officers check the number plate on "
        "their handhelds. Residents change vehicles online.",
        (14_000, "pounds", "both", "printing, postage and clerical time"),
        ("parking", "permits", "paperless"),
        (),
    ),
    Idea(
        "housing_voids",
        "housing",
        "A shared checklist to turn empty council homes round faster",
        "Empty council homes take 41 days on average to relet; the void inspection, repairs and lettings "
        "teams each keep their own spreadsheet and wait for emails from each other.",
        "One shared checklist per empty home that all three teams update, with the next job flagged to the "
        "right team automatically.",
        (95_000, "pounds", "both", "rent lost on empty homes, at 8 days fewer"),
        ("voids", "lettings", "repairs"),
        (),
        1,
    ),
    Idea(
        "homeless_triage",
        "housing",
        "Online form before a homelessness appointment",
        "Housing options officers spend the first 40 minutes of an appointment collecting facts the person "
        "could give us beforehand, and often have to book a second appointment for documents.",
        "A short online form (or with a library or advice centre volunteer) before the appointment, listing "
        "what documents to bring.",
        (1_500, "hours", "both", "30 minutes saved on 3,000 appointments"),
        ("homelessness", "triage", "forms"),
        ("Citizens Advice", "Libraries"),
    ),
    Idea(
        "planning_validation",
        "planning",
        "Check planning applications for missing documents automatically",
        "Half of planning applications arrive invalid, mostly for a missing plan or fee. Validation officers "
        "spend about 25 minutes on each before writing to the applicant.",
        "Automatic checks when an application arrives from the Planning Portal: missing documents and fees "
        "flagged and the agent emailed the same day.",
        (1_100, "hours", "staff", "25 minutes on 2,600 invalid applications"),
        ("planning", "validation", "automation"),
        ("Planning Portal",),
    ),
    Idea(
        "hr_onboarding",
        "hr",
        "One onboarding checklist for new starters",
        "New starters often arrive without a laptop, a building pass or a system login; managers chase four "
        "teams and new staff lose most of their first week.",
        "A single onboarding request raised at the job offer that creates tasks for IT, facilities and "
        "payroll, with the start date as the deadline.",
        (2_000, "hours", "staff", "three lost days on about 330 new starters"),
        ("onboarding", "new-starters"),
        (),
    ),
    Idea(
        "it_password_resets",
        "it_and_digital",
        "Self-service password resets",
        "A quarter of IT service desk calls are password resets: about 180 a week at 8 minutes each, and "
        "staff cannot work while they wait.",
        "Turn on self-service password reset with two verification methods for every member of staff.",
        (1_250, "hours", "staff", "180 calls a week at 8 minutes, plus waiting time"),
        ("it-service-desk", "passwords"),
        (),
    ),
    Idea(
        "finance_invoices",
        "finance_and_procurement",
        "Scan and match supplier invoices automatically",
        "Accounts payable key in 42,000 invoices a year by hand; 6% are paid late because they sit in a "
        "manager's inbox waiting for approval.",
        "Suppliers send invoices to one mailbox; they are read, matched to the purchase order and sent to "
        "the approver with a reminder after three days.",
        (1_800, "hours", "staff", "3 minutes keying on 36,000 invoices"),
        ("invoices", "accounts-payable", "automation"),
        (),
    ),
    Idea(
        "blue_badge",
        "customer_services",
        "Tell Blue Badge applicants where their application is",
        "Blue Badge applicants wait up to 10 weeks and phone to ask how it is going: about 400 calls a month.",
        "Send a text or email at each stage (received, assessed, printed, posted).",
        (500, "hours", "both", "400 calls a month at 6 minutes"),
        ("blue-badge", "progress-updates"),
        ("GOV.UK Notify",),
    ),
    Idea(
        "library_hubs",
        "libraries_and_culture",
        "Council advice desks in libraries on market days",
        "Residents in the outlying towns travel to the civic centre for help with forms that library staff "
        "could help with.",
        "A council advice desk in three libraries on market days, staffed by trained library staff with a "
        "video link to specialists.",
        None,
        ("libraries", "face-to-face", "rural"),
        ("Town councils",),
    ),
    Idea(
        "registrars_booking",
        "registrars_and_bereavement",
        "Book death registration appointments online",
        "Bereaved families ring to book a death registration appointment, often more than once, at a "
        "hard time; registrars spend 6 hours a week on the phone booking.",
        "Online booking with the documents to bring, and a phone line kept for those who need it.",
        (300, "hours", "both", "6 hours a week of booking calls"),
        ("registration", "bereavement", "booking"),
        (),
    ),
    Idea(
        "env_health_inspections",
        "environmental_health",
        "Inspect food businesses by risk, with a tablet",
        "Food hygiene inspection reports are handwritten then typed; officers lose half a day a week.",
        "Tablet inspection forms that fill in the business's details and produce the letter on site.",
        (700, "hours", "staff", "half a day a week for 7 officers"),
        ("food-hygiene", "inspections", "mobile-working"),
        (),
    ),
    Idea(
        "council_tax_moves",
        "revenues_and_benefits",
        "One form for moving home",
        "When someone moves within the borough they tell us up to four times (council tax, benefits, "
        "electoral register, bins) and the records often do not match.",
        "One 'I am moving' form that updates council tax and benefits and tells electoral services and waste.",
        (1_400, "hours", "both", "duplicate changes of address across four teams"),
        ("moving-home", "council-tax", "tell-us-once"),
        (),
    ),
    Idea(
        "fleet_telematics",
        "property_and_facilities",
        "Use vehicle trackers to plan fewer pool car journeys",
        "The pool car fleet of 40 cars is booked by paper diary; some cars sit idle while staff claim "
        "mileage for their own cars.",
        "Online pool car booking with the tracker data showing use, and reduce the fleet to what is used.",
        (18_000, "pounds", "staff", "mileage claims and two fewer leased cars"),
        ("fleet", "pool-cars", "mileage"),
        (),
    ),
    Idea(
        "children_transport",
        "childrens_services",
        "Plan school transport routes with software",
        "Home-to-school transport routes for children with special needs are planned by hand each summer; "
        "costs went up 18% last year.",
        "Use route planning software to combine routes and set the right vehicle size.",
        (120_000, "pounds", "residents", "5% of the £2.4m budget"),
        ("school-transport", "send", "routing"),
        ("Taxi and minibus operators",),
    ),
    Idea(
        "climate_streetlights",
        "climate_and_environment",
        "Dim street lights after midnight on quiet roads",
        "Street lighting is the council's largest single electricity use.",
        "Dim LED street lights by 50% between midnight and 5am on residential roads, after asking residents "
        "and the police.",
        (45_000, "pounds", "residents", "energy at current prices"),
        ("street-lighting", "energy", "net-zero"),
        ("Police",),
    ),
    Idea(
        "complaints_triage",
        "customer_services",
        "Send complaints to the right team on the first day",
        "Complaints arrive by email and sit in a shared inbox for 3 days on average before a team sees them; "
        "we then miss the 10-day answer time.",
        "A complaint form that asks which service it is about and routes it straight to that team's queue.",
        (600, "hours", "both", "triage time and fewer escalations"),
        ("complaints", "triage"),
        (),
    ),
)

NORTHBROOK_TRIALS = {
    "ctax_sms": TrialStory(
        hypothesis="If we text residents three days before a council tax instalment is due, then fewer "
        "instalments will be missed, fewer reminder letters will be posted and recovery staff will "
        "spend less time chasing.",
        scope="Residents paying by cash or card with a mobile number on record (about 31,000 accounts). "
        "Direct Debit payers are left out: they rarely miss.",
        owner=("Priya Shah", "Revenues team leader"),
        sponsor=("Martin Cole", "Head of Revenues and Benefits"),
        cost=6_500,
        started_days_ago=200,
        ending="concluded",
        publish=True,
        metrics=(
            Metric(
                "First reminder letters posted (annual cost)",
                "cost_pounds_per_year",
                "lower_is_better",
                38_400,
                "Print and postage invoices, 12 months before the trial",
                12_000,
                (30_900, 21_800, 15_100, 11_600, 10_400),
                "Print room invoices",
                cashable=True,
            ),
            Metric(
                "Staff time chasing missed instalments",
                "hours_per_week",
                "lower_is_better",
                64,
                "Recovery team timesheets, average of 13 weeks",
                45,
                (61, 55, 50, 46, 44),
                "Recovery team timesheets",
                hourly_cost=24.5,
            ),
            Metric(
                "Instalments paid late",
                "percent",
                "lower_is_better",
                11.8,
                "Share of instalments paid after the due date, 3 months before",
                9.0,
                (11.0, 10.1, 9.4, 8.9, 8.6),
                "Council tax system report",
            ),
        ),
        verdict={
            "outcome": "worked",
            "summary": "Texts before each instalment cut late payments from 11.8% to 8.6% and first reminder "
            "letters by almost three quarters. Recovery staff time fell by 20 hours a week.",
            "reasons": [
                {
                    "code": "adoption",
                    "note": "Residents used the payment link in the text: 38% paid within a day of it.",
                }
            ],
            "lessons": {
                "what_worked": "A short text with the amount and a payment link, sent three days before.",
                "what_did_not": "Texts sent on Sundays were paid later than weekday ones.",
                "do_differently": "Clean the mobile numbers first: 9% had changed since they were given.",
                "conditions_elsewhere": "Needs mobile numbers for most cash and card payers and a GOV.UK "
                "Notify account; works best where reminder letters are still posted.",
            },
            "design": "comparison_group",
            "verified_by": {
                "name": "Internal Audit",
                "organisation": "Northbrook Borough Council (Example)",
                "independent": True,
                "consents_to_be_named": True,
            },
        },
    ),
    "chatbot": TrialStory(
        hypothesis="If a chatbot answers common council tax and benefits questions on the website, then "
        "calls to the contact centre about them will fall by a fifth.",
        scope="Council tax and benefits pages of the website, all residents; twelve advisers answered handovers.",
        owner=("Daniel Okafor", "Customer services manager"),
        sponsor=("Angela Price", "Director of Resources"),
        cost=14_000,
        started_days_ago=170,
        ending="concluded",
        publish=True,
        internal_notes="Supplier offered a discount for a second year; not taken.",
        metrics=(
            Metric(
                "Calls about council tax and benefits",
                "count",
                "lower_is_better",
                2_150,
                "Weekly average from the telephony system, 8 weeks before",
                1_700,
                (2_190, 2_120, 2_230, 2_170),
                "Telephony system, weekly average",
            ),
            Metric(
                "Chatbot conversations resolved without an adviser",
                "percent",
                "higher_is_better",
                0,
                "No chatbot before the trial",
                40,
                (18, 14, 12, 11),
                "Chatbot supplier's dashboard",
            ),
            Metric(
                "Adviser minutes per call",
                "minutes_per_case",
                "lower_is_better",
                7.5,
                "Average handling time, 8 weeks before",
                6.5,
                (7.6, 7.8, 7.7, 7.9),
                "Telephony system",
                annual_volume=111_800,
                hourly_cost=23.0,
            ),
        ),
        verdict={
            "outcome": "did_not_work",
            "summary": "Calls did not fall (2,150 a week before, 2,170 at the end) and only 11% of chatbot "
            "conversations ended without an adviser. Most questions were about the person's own "
            "bill, which the chatbot could not see.",
            "reasons": [
                {
                    "code": "wrong_problem",
                    "note": "Two thirds of calls were about the caller's own account "
                    "(why has my bill changed), not general questions.",
                },
                {
                    "code": "information_governance",
                    "note": "The DPIA did not allow account look-ups without "
                    "identity verification, which the chatbot lacked.",
                },
                {"code": "adoption", "note": "Residents asked for a person after one or two answers."},
            ],
            "lessons": {
                "what_worked": "The chatbot's logs showed which web pages were unclear; we rewrote six of them.",
                "what_did_not": "General answers do not help people whose question is about their own bill.",
                "do_differently": "Look at what callers actually ask before choosing a tool; start with "
                "signed-in account pages rather than a chatbot.",
                "conditions_elsewhere": "Might work for general enquiries (bins, opening times) or with "
                "verified sign-in to the council tax account.",
            },
            "design": "before_after",
        },
    ),
    "care_devices": TrialStory(
        hypothesis="If home care workers write care notes on a tablet at the visit, then the time spent typing "
        "up notes at the office will halve.",
        scope="The north locality home care team (24 carers).",
        owner=("Fiona Graham", "Home care team manager"),
        sponsor=("Kwame Mensah", "Assistant Director, Adult Care"),
        cost=9_800,
        started_days_ago=45,
        ending="stopped",
        publish=False,
        metrics=(
            Metric(
                "Time typing up visit notes at the office",
                "hours_per_week",
                "lower_is_better",
                120,
                "Timesheets of the north locality team, 6 weeks before",
                60,
                (112,),
                "Team timesheets",
                hourly_cost=19.0,
            ),
        ),
        verdict={
            "outcome": "stopped",
            "summary": "Stopped after six weeks: the tablets could not keep care records offline under our "
            "data protection rules, and replacement devices were not available through the framework.",
            "reasons": [
                {
                    "code": "information_governance",
                    "note": "Offline storage of care records on shared devices "
                    "was not approved by the Caldicott Guardian.",
                },
                {
                    "code": "procurement",
                    "note": "The devices that could encrypt offline data were not on the "
                    "framework; a new procurement would take six months.",
                },
            ],
            "lessons": {
                "do_differently": "Agree the DPIA and the device with information governance before buying.",
                "conditions_elsewhere": "Could work where the care record app supports encrypted offline use.",
            },
        },
    ),
}

GLANMOR_IDEAS = (
    Idea(
        "flytipping_form",
        "environmental_health",
        "Report fly-tipping online with a photo, in Welsh or English",
        "Fly-tipping is reported by phone; officers type up each report (about 14 minutes) and often ring "
        "back for the exact place. About 4,200 reports a year.",
        "A bilingual online form with a photo and a map pin that goes straight to the enforcement officers' "
        "and crews' work queue.",
        (980, "hours", "both", "officer time on 4,200 reports"),
        ("fly-tipping", "bilingual", "reporting"),
        (),
        1,
        ("Make sure the Welsh version is written, not machine translated.",),
    ),
    Idea(
        "repairs_booking",
        "housing",
        "Let tenants book repair appointments online",
        "Tenants ring to book repairs and often again to rearrange; 14% of appointments find nobody in.",
        "Online booking of repair slots with a text reminder the day before, and rearranging by reply.",
        (60_000, "pounds", "both", "wasted visits at £85 each"),
        ("repairs", "appointments", "tenants"),
        ("Housing association partners",),
        1,
    ),
    Idea(
        "school_meals",
        "childrens_services",
        "Free school meals without a separate form",
        "Families entitled to free school meals must apply separately even when we already pay them council "
        "tax reduction; a third of eligible children are not registered.",
        "Use council tax reduction data to register eligible children automatically, with an opt-out.",
        (250_000, "pounds", "residents", "meals and extra school funding claimed"),
        ("free-school-meals", "data-sharing"),
        ("Schools",),
    ),
    Idea(
        "welsh_chat",
        "customer_services",
        "Welsh-language web chat at the contact centre",
        "Welsh speakers wait longer on the phone for a Welsh-speaking adviser.",
        "Web chat in Welsh staffed by the Welsh-speaking advisers at quiet times.",
        None,
        ("welsh-language", "web-chat"),
        (),
    ),
    Idea(
        "grit_routes",
        "highways_and_transport",
        "Grit the routes by live road temperature",
        "Gritters go out on all routes whenever frost is forecast, even when some roads stay above freezing.",
        "Use road sensors to grit only routes that will freeze.",
        (35_000, "pounds", "residents", "salt and drivers' overtime"),
        ("gritting", "winter", "sensors"),
        (),
    ),
    Idea(
        "foster_carers",
        "childrens_services",
        "Answer foster carer enquiries within a day",
        "People who enquire about fostering wait a week for a call back and many go to agencies.",
        "A named officer answers every enquiry the same or next day, and keeps in touch monthly.",
        None,
        ("fostering", "recruitment"),
        (),
    ),
    Idea(
        "hr_sickness",
        "hr",
        "Return-to-work interviews on a simple online form",
        "Return-to-work forms are paper and often lost; HR chase managers every month.",
        "An online form that reminds the manager and records the interview.",
        (400, "hours", "staff", "HR chasing and re-keying"),
        ("sickness-absence", "forms"),
        (),
    ),
    Idea(
        "bulky_waste",
        "waste_and_recycling",
        "Book bulky waste collections online with a photo",
        "Bulky waste bookings by phone often list the wrong items; crews turn up with the wrong vehicle.",
        "Online booking with a photo, and the item list sent to the crew.",
        (8_000, "pounds", "both", "wasted trips"),
        ("bulky-waste", "booking"),
        (),
    ),
)

GLANMOR_TRIALS = {
    "flytipping_form": TrialStory(
        hypothesis="If residents report fly-tipping with a photo and a map pin, then officers will spend less "
        "time on each report and sites will be cleared sooner.",
        scope="The whole county borough; reports by phone stay available.",
        owner=("Rhys Evans", "Enforcement team leader"),
        sponsor=("Sian Morgan", "Head of Neighbourhood Services"),
        cost=3_200,
        started_days_ago=160,
        ending="concluded",
        publish=True,
        metrics=(
            Metric(
                "Officer minutes to log a report",
                "minutes_per_case",
                "lower_is_better",
                14,
                "Timed sample of 60 phone reports",
                6,
                (11, 9, 8.5, 8),
                "Timed sample of 40 reports a month",
                annual_volume=4_200,
                hourly_cost=22.0,
            ),
            Metric(
                "Days from report to clearance",
                "days_waiting",
                "lower_is_better",
                6.5,
                "Average over 3 months before",
                3,
                (6.1, 5.8, 5.9, 5.6),
                "Waste management system",
            ),
        ),
        verdict={
            "outcome": "partly",
            "summary": "Logging a report now takes 8 minutes rather than 14, but sites are cleared only a day "
            "sooner: the crews' rounds did not change.",
            "reasons": [
                {"code": "staffing", "note": "Clearance depends on crew capacity, which the trial did not change."},
                {"code": "data", "note": "One report in six had a photo without a usable location."},
            ],
            "lessons": {
                "what_worked": "The map pin ended the call-backs for locations.",
                "what_did_not": "Faster reports do not mean faster clearance on their own.",
                "do_differently": "Plan the crews' rounds from the reports at the same time.",
                "conditions_elsewhere": "Worth it where officers type up phone reports; bilingual forms "
                "needed in Wales.",
            },
            "design": "before_after",
        },
    ),
    "repairs_booking": TrialStory(
        hypothesis="If tenants book repair slots online with a reminder the day before, then fewer visits will "
        "find nobody in and fewer calls will be made to book or rearrange.",
        scope="Responsive repairs for the 3,100 homes of the southern estates.",
        owner=("Bethan Hughes", "Repairs planner"),
        sponsor=("Gareth Price", "Head of Housing"),
        cost=7_500,
        started_days_ago=100,
        ending="running",
        review_first_checkpoint=True,
        metrics=(
            Metric(
                "Repair visits with nobody in",
                "percent",
                "lower_is_better",
                14,
                "Repairs system, 6 months before",
                8,
                (12.5, 11.0, 10.2),
                "Repairs system",
            ),
            Metric(
                "Calls to book or rearrange repairs",
                "count",
                "lower_is_better",
                900,
                "Weekly average, telephony system, 8 weeks before",
                600,
                (840, 760, 700),
                "Telephony system, weekly average",
            ),
        ),
    ),
}

INVERALLAN_IDEAS = (
    Idea(
        "ferry_tickets",
        "highways_and_transport",
        "Buy island ferry tickets on the phone",
        "Islanders queue at the pier office to buy ferry tickets for the council-run ferry.",
        "Mobile ticketing with a QR code checked by the crew.",
        (12_000, "pounds", "residents", "pier office hours"),
        ("ferry", "tickets", "islands"),
        (),
    ),
    Idea(
        "peat_planning",
        "planning",
        "Pre-application advice online for crofters",
        "Crofters travel up to two hours for pre-application advice about small buildings.",
        "Video-call advice slots and a short online guide for croft buildings.",
        None,
        ("planning", "crofting", "rural"),
        ("Crofting Commission",),
    ),
    Idea(
        "social_work_notes",
        "adult_social_care",
        "Dictate social work case notes",
        "Social workers spend a day a week typing case notes after visits.",
        "Dictation on a phone with transcription into the case record.",
        (3_000, "hours", "staff", "a day a week for 15 social workers"),
        ("case-notes", "dictation"),
        (),
    ),
    Idea(
        "gaelic_signs",
        "communications",
        "Bilingual Gaelic and English templates for letters",
        "Letters are translated one by one for Gaelic speakers, which takes weeks.",
        "Approved bilingual templates for the twenty most common letters.",
        None,
        ("gaelic", "letters"),
        ("Bòrd na Gàidhlig",),
    ),
    Idea(
        "school_transport_islands",
        "childrens_services",
        "Share school transport with community buses",
        "School buses run empty in the middle of the day on the islands.",
        "Let community transport groups use the school buses between runs.",
        None,
        ("school-transport", "community-transport"),
        ("Community transport groups",),
    ),
)

# Written while the platform says what happened elsewhere: close to Northbrook's failed chatbot.
INVERALLAN_DRAFT = Idea(
    "virtual_assistant",
    "customer_services",
    "Virtual assistant for council tax questions in the evening",
    "Residents cannot reach us about council tax after 5pm and the phone lines are busy every morning.",
    "An automated assistant on the website that answers council tax questions in the evening and at weekends.",
    (1_500, "hours", "both", "evening questions answered without a call"),
    ("council-tax", "automation"),
    (),
)
INVERALLAN_REWRITE = (
    "Start with signed-in council tax account pages so residents can see their own bill and payments in the "
    "evening; only then consider an assistant, for general questions. (Northbrook trialled a chatbot for "
    "this and it did not work because most questions were about people's own accounts.)"
)

COUNCILS = (
    CouncilStory(
        name="Northbrook Borough Council",
        slug="northbrook",
        nation="England",
        organiser=("Joanne Clarke", "joanne.clarke"),
        manager=("Martin Cole", "martin.cole"),
        staff={"full": 300, "small": 40},
        voters={"full": 60, "small": 9},
        authors={"full": 14, "small": 6},
        hack_day="Northbrook spring hack day",
        held_days_ago=210,
        themes=(
            "Cut the wait for a council tax answer",
            "Fewer wasted journeys for crews and carers",
            "Give staff back an hour a week",
        ),
        ideas=NORTHBROOK_IDEAS,
        duplicate=("ctax_sms_dup", "ctax_sms"),
        hidden=(
            "missed_bins_named",
            "Names a resident and her address. Please resubmit it as an idea about "
            "repeated missed collections, without personal details.",
        ),
        withdrawn="library_hubs",
        vote=Vote(
            method="dot_voting",
            rules={"dots_per_voter": 5, "max_dots_per_idea": 3},
            shortlist=(
                "ctax_sms",
                "chatbot",
                "care_devices",
                "missed_bins",
                "housing_voids",
                "it_password_resets",
                "planning_validation",
                "finance_invoices",
            ),
            selected=3,
        ),
        trials=NORTHBROOK_TRIALS,
    ),
    CouncilStory(
        name="Glanmor County Borough Council",
        slug="glanmor",
        nation="Wales",
        organiser=("Lowri Davies", "lowri.davies"),
        manager=("Gareth Price", "gareth.price"),
        staff={"full": 150, "small": 20},
        voters={"full": 24, "small": 6},
        authors={"full": 6, "small": 4},
        hack_day="Glanmor hack day: fewer repeat calls",
        held_days_ago=180,
        themes=("Fewer repeat calls", "Bilingual by design"),
        ideas=GLANMOR_IDEAS,
        vote=Vote(
            method="approval",
            rules={"max_approvals": 3},
            shortlist=("flytipping_form", "repairs_booking", "school_meals", "grit_routes", "bulky_waste"),
            selected=2,
        ),
        trials=GLANMOR_TRIALS,
    ),
    CouncilStory(
        name="Inverallan Council",
        slug="inverallan",
        nation="Scotland",
        organiser=("Morag Mackenzie", "morag.mackenzie"),
        manager=None,
        staff={"full": 90, "small": 12},
        voters={"full": 0, "small": 0},
        authors={"full": 5, "small": 3},
        hack_day="Inverallan islands and glens hack day",
        held_days_ago=0,
        themes=("Services that do not need a journey",),
        ideas=INVERALLAN_IDEAS,
    ),
)


# ==== the run ======================================================================================
