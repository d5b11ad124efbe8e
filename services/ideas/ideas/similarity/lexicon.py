"""The council-domain concept lexicon: words and phrases that mean the same thing in an idea.

Each entry names a concept, optionally a broader concept after `>`, then the ways staff write it,
comma-separated (indented lines continue the entry above). "sms", "text message" and "texting" all
become the concept `text_message`, so a draft that says "text residents" meets an idea that says
"SMS reminders". A term may belong to more than one concept ("dhp" is both a benefit and a hardship
payment). Terms are matched after the same folding and stemming as the ideas themselves, so
"reminders" matches "reminder", and the longest phrase wins ("domiciliary carers" is home care,
"carers" alone is unpaid carers).

Add a term where real drafts use it; keep concepts narrow enough that sharing one means the ideas
are about the same thing. Broader concepts count half.
"""

from __future__ import annotations

LEXICON = """
# "_" swallows phrases whose words would otherwise be read as a concept ("due to" is not a due date).
_: due to, in due course, neighbouring councils, neighbouring council, neighbouring authorities,
    neighbouring boroughs, all year round, round the clock, round table, top tip, top tips,
    treated fairly, treated with respect, treated differently, free text, text box, open data

# How the council reaches people
text_message > contact_residents: sms, sms message, text, texts, text message, texting, texted, txt,
    mobile message, message to their mobile, whatsapp
email > contact_residents: email, emails, emailed, e-mail, inbox, email address
letter > contact_residents: letter, letters, posted letter, posted letters, correspondence, postal, by
    post, in the post, mailing
notification > contact_residents: notification, notifications, notify, notified, alert, alerts, alerted,
    push notification, warn, warns, warning, let them know, raise an alarm
reminder: reminder, reminders, remind, nudge, nudges, prompt, prompts, chase, chaser, chasing, heads up,
    beforehand, in advance, advance warning, night before, evening before, day before, days before,
    before it is due, before they are due
phone_call > contact_channel: phone call, phone calls, by phone, telephone, phone line, phone lines,
    ring, rings, ringing, rang, callers, call us, calls, phoning, phone, over the phone, switchboard,
    helpline
call_back: call back, callback, call-back, ring back, ring them back, ring people back, rings them back,
    ring the resident back, return call, virtual queue
waiting_on_hold: on hold, hold time, waiting time, queue, queues, queueing, queuing, call queue,
    abandoned calls, hang up, hung up, engaged, waits on the phone, long waits
call_volume: call volumes, call volume, lots of calls, spike in calls, swamped, jam, jammed, clog, clog
    up, avoidable contact, failure demand, phone lines jam, hundreds of calls
contact_centre: contact centre, call centre, customer services, customer service, customer service
    centre, one stop shop, advisers, adviser, advisors, advisor, customer services advisers
face_to_face: in person, face to face, face-to-face, counter, reception, civic centre, town hall, come
    in, visit the office, front desk
online > digital: online, web, website, web form, webform, web page, web pages, internet, portal,
    digital, digitally, e-form, eform, electronic, electronically, on the web, council site, council
    website, paperless
mobile_app > digital: app, apps, mobile app, smartphone, smartphones, phone app, mobile, mobiles, mobile
    phone, handheld, handheld device, handhelds, tablet, tablets, in-cab tablet, in-cab tablets, on
    their phone, on their mobile, mobile-friendly, mobile friendly, from a phone
self_service > digital: self-service, self service, selfservice, without ringing, without phoning,
    without calling, do it themselves, unlock their own, their own accounts
chatbot > digital: chatbot, chat bot, chatbots, bot, bots, virtual assistant, ai assistant, digital
    assistant, conversational ai
web_chat: web chat, webchat, live chat, chats
faq: faq, faqs, frequently asked questions, common questions, simple questions, top questions, top 50
    questions, simple queries, common enquiries
out_of_hours: out of hours, outside office hours, outside opening hours, evenings and weekends, 24 7,
    any time, anytime, after hours, overnight, outside staffed hours, when no staff, when staff are not
    there, no staff are present, no staff present, unstaffed
paper > manual_work: paper, paper form, paper forms, paper based, paper-based, paperwork, printed, hard
    copy, cheque, cheques, coupons, windscreen
rekeying > manual_work: rekey, rekeys, rekeyed, re-key, re-keyed, re-keys, rekeying, re-keying, keying,
    key in, keyed in, keying errors, type in, typed in, typing in, type them in, types them in, typed
    up, type up, data entry, manual input, by hand, handwritten, manual data entry, keying them in
spreadsheet > manual_work: spreadsheet, spreadsheets, excel
automatic: automatic, automatically, automate, automated, automation, auto, auto-enrol, auto-renew,
    autorenew, auto-renewal, robotic process automation, rpa, without applying, without having to apply
image_recognition > ai: image recognition, computer vision, artificial intelligence, ai, machine
    learning, automatically detect, detection software, algorithm
ocr > ai: ocr, optical character recognition, read invoices, read supplier, scan, scans, scanned,
    scanning, document capture, digitise, digitised, digitising
photo: photo, photos, photograph, photographs, photographed, photographing, picture, pictures, image,
    images, snap, snaps, snapshot, camera, cameras, camera evidence, geotagged photo, footage, dashcam,
    dash cam, photo upload
video_call > remote: video, video call, video calls, videocall, facetime, teams call, teams, zoom, video
    meeting, video meetings, virtual meeting, virtual meetings, online meeting, online meetings, video
    walk-round, video walk round, video inspections, video inspection, remote inspection, remote
    inspections, screen sharing
location: location, locations, gps, map, maps, map pin, pin, geotagged, geotag, coordinates, exact
    location, whereabouts, what3words, gis
live_tracking: tracker, trackers, tracking, tracked, live tracking, gps tracking, telematics, vehicle
    tracking, live map, live location, real time location, where it is, where the vehicle is, where the
    school bus is, ten minutes away
upload_evidence: upload, uploads, uploaded, uploading, evidence, supporting documents, supporting
    evidence, documents, document, payslip, payslips, bank statement, bank statements, proof, proof of,
    attachment, attachments, attach, certificates, certificate
booking: book, books, booking, bookings, booked, appointment, appointments, slot, slots, time slot, time
    slots, reserve, reservation, reservations, pick a day, choose a day, choose a slot, choice of day
form: form, forms, application form, claim form, questionnaire form, e-form
apply: apply, applies, applying, applied, application, applications, applicant, applicants, claim,
    claims, claimed, claiming
simplify: simplify, simplified, simpler, shorter, shorten, shortened, cut down, fewer questions,
    streamline, streamlined, easier, cut it, too long, so long, 14 pages
prefill: pre-fill, prefill, pre-filled, prefilled, pre-populate, prepopulate, pre-populated,
    prepopulated, already hold, already know, we already hold, we already know, our own records
plain_english: plain english, plain language, jargon, legalese, legal wording, easier to understand,
    easy to understand, clearer, clear wording, clearer wording, readability, simpler language
review: review, reviews, reviewed, re-check, recheck, re-checks, rechecks, re-checked, check again,
    re-checking, rechecking, audit, still qualify, still eligible
data_matching: data matching, data match, data-matching, cross check, cross-check, cross-checks,
    cross-checking, crosscheck, match against, credit reference, credit reference agency, credit
    reference data, data sharing, compare records, matched against
payment: pay, pays, paying, paid, payment, payments, pay online, pay now, pay-now, payment link, card
    payment, card payments, pay by card, by card, take payment, payment taken, link to pay
direct_debit: direct debit, direct debits, dd, standing order, recurring payment, continuous payment
    authority
payment_due > payment: due, due date, payment date, instalment, instalments, payment deadline, on time,
    pay on time, date it is due, monthly instalment
arrears: arrears, debt, debts, debtor, debtors, unpaid, owed, owe, owing, overdue, outstanding,
    recovery, recovery action, enforcement agents, bailiffs, summons, summonses, court costs, liability
    order, collections agency, goes to recovery
fees: fee, fees, charge, charges, charging, cost of, price

# Revenues and benefits
council_tax > local_tax: council tax, ctax, c tax, council tax bill, council tax bills, council
    taxpayers, council tax payers
business_rates > local_tax: business rates, nndr, non domestic rates, non-domestic rates, rateable
    value, rate relief, rates relief, rates bill, ratepayer, ratepayers, sbrr, small business rate
    relief, small business rates relief, business rate relief, their rates
small_business: small business, small businesses, small firms, small firm, shop, shops, shopkeepers,
    traders, sme, smes, local businesses, businesses, business, firms
benefits: benefit, benefits, housing benefit, universal credit, council tax reduction, council tax
    support, ctr, ctrs, claimant, claimants, welfare, dhp, means tested benefits
hardship: hardship, discretionary housing payment, discretionary housing payments, dhp, dhps,
    discretionary payment, hardship fund, crisis support, local welfare assistance, in hardship
discount > reduction: discount, discounts, relief, reliefs, exemption, exemptions, rebate, rebates,
    reduction, reductions, concession, concessions, 25 off
single_person_discount: single person discount, single person discounts, spd, 25 discount, 25 per cent
    discount, sole occupier, sole occupiers, sole occupant, live alone, lives alone, living alone,
    single occupancy, one adult household, sole occupier discount, sole occupier reduction
electoral_register: electoral register, electoral roll, register of electors, electoral registration,
    canvass, electoral services, elections, electors
free_school_meals: free school meals, fsm, pupil premium

# Waste
bin > waste: bin, bins, wheelie bin, wheelie bins, black bin, grey bin, residual waste, refuse, rubbish,
    bin bags, sacks, household waste
bin_collection > waste: collection, collections, collected, collecting, pickup, pickups, pick up, pick
    ups, pickup service, bin day, bin days, collection day, collection days, collection calendar, round,
    rounds, crew, crews, bin men, binmen, refuse collectors, loaders, refuse collection, bin collection,
    bin collections
refuse_vehicle > waste: bin lorry, bin lorries, refuse vehicle, refuse vehicles, refuse truck, refuse
    trucks, bin wagon, bin wagons, dustcart, rcv, rcvs, collection vehicle, collection vehicles, lorry,
    lorries, truck, trucks, refuse lorry, refuse lorries
missed_bin: missed bin, missed bins, missed collection, missed collections, not presented, never
    presented, not put out, not left out, was not out, is not out, not out, bin was not out, wrong bin,
    wrong one is presented, bins are missed
garden_waste > waste: garden waste, green waste, brown bin, brown bins, green bin, green bins, garden
    bin, garden bins, grass cuttings, hedge trimmings, garden waste permit, garden waste permits
subscription: subscription, subscriptions, subscribe, subscribed, subscribes, re-subscribe, resubscribe,
    subscribe again, renew, renews, renewed, renewal, renewals, renewing, rolls over, roll over, rolling
    over, expire, expires, expiry, expired, each year, every year, annual renewal, carries on each year
bulky_waste > waste: bulky waste, bulky item, bulky items, bulky collection, bulky collections, large
    items, large household items, large item, furniture, sofa, sofas, fridge, fridges, freezer,
    freezers, mattress, mattresses, white goods, wardrobe, wardrobes
fly_tipping > waste: fly tipping, fly-tipping, flytipping, fly tip, fly-tip, flytip, fly tipped,
    fly-tipped, dumped rubbish, dumped waste, illegally dumped, illegal dumping, dumping, dumped, fly
    tippers, fly-tippers
recycling > waste: recycling, recycle, recycled, recyclables, recyclable, food waste, caddy, caddies,
    liners, compostable
recycling_centre > waste: tip, household recycling centre, household waste recycling centre, hwrc,
    recycling centre, civic amenity site, the dump
alternate_weekly: alternate weekly, fortnightly, every other week, alternate weeks, every two weeks,
    which bin, which bin goes out, which bin to put out

# Housing
tenant > housing: tenant, tenants, tenancy, tenancies, council tenant, council tenants, council housing,
    council homes, council home, social housing, council house, council houses, council flats, council
    flat, housing association, flats, estate, estates
home > housing: home, homes, house, houses, property, properties, dwelling, dwellings, household,
    households, flat, accommodation
repairs > housing: repair, repairs, responsive repairs, fault, faults, leak, leaks, leaking, boiler,
    boilers, broken, operative, operatives, tradesperson, tradespeople, trade, trades, plumber,
    electrician, fix, fixed, maintenance, repairs operative, repairs operatives, materials, parts, right
    part, right parts, repair problem
repeat_visit: second visit, repeat visit, repeat visits, return visit, return visits, revisit, revisits,
    first time fix, no access, wasted trip, go back, going back, keep going back, send the vehicle back,
    turns up without, right part, right parts, wrong parts
site_visit: visit, visits, visiting, visited, site visit, site visits, home visit, home visits, call
    out, call-out, attend, turn up, turns up, travel to, drive to, driving to, go out to
damp_mould: damp, mould, mouldy, condensation, humidity, humid, moisture, black mould, ventilation,
    awaab
sensor > technology: sensor, sensors, smart device, smart devices, iot, internet of things, monitor,
    monitors, monitoring, detector, detectors, occupancy sensor, occupancy sensors, readings
void: void, voids, empty home, empty homes, empty council homes, empty property, empty properties,
    vacant, relet, re-let, reletting, re-letting, relets, void works, void properties, between
    tenancies, stand empty, sit empty, stands empty, sits empty, lost rent, lose rent, rent loss
allocation: allocation, allocations, allocate, allocated, housing register, choice based lettings,
    choice-based lettings, bidding, bid, bids, waiting list, waiting lists, nominations, lettings
homelessness: homeless, homelessness, eviction, evictions, evicted, section 21, notice to quit, lose
    their home, lose their tenancy, losing their home, losing their tenancy, keep their home, save the
    tenancy, threatened with homelessness, threatened with eviction, rough sleeping, rough sleepers,
    housing options, temporary accommodation, prevent homelessness, homelessness prevention, eviction
    notice
hmo: hmo, hmos, house in multiple occupation, houses in multiple occupation, multiple occupation, shared
    house, shared houses, house share, house shares, bedsit, bedsits
landlord: landlord, landlords, private landlord, private landlords, letting agent, letting agents,
    private rented sector, prs
licence: licence, licences, licensing, licensed, licensee, licence holder, badge, badges, licence fee
survey: survey, surveys, surveyed, exit survey, exit surveys, questionnaire, questionnaires, feedback,
    satisfaction, poll, response rate, anonymous questionnaire

# Highways and transport
pothole > highway_defect: pothole, potholes, road defect, road defects, highway defect, highway defects,
    defect, defects, road surface, road surface damage, surface damage, road damage, damaged road,
    damaged roads, cracks, rutting, carriageway defects
road: road, roads, street, streets, highway, highways, carriageway, carriageways, pavement, pavements,
    footway, footways, footpath, footpaths, lane, lanes
street_light: street light, street lights, streetlight, streetlights, street lighting, lamp post, lamp
    posts, lamppost, lampposts, streetlamp, streetlamps, street lamp, street lamps, lighting column,
    lighting columns, column, columns, light out, lamp is out, faulty light
gritting: grit, gritting, gritted, gritter, gritters, salt, salting, salted, salt spreader, salt
    spreaders, winter maintenance, icy, ice, snow, frost, frosty, winter service, treated, treat, icy
    weather, icy nights
dropped_kerb: dropped kerb, dropped kerbs, vehicle crossing, vehicle crossings, vehicle crossover,
    vehicle crossovers, crossover, crossovers, driveway crossing, driveway crossover, vehicle access,
    crossing over the pavement
driveway: driveway, driveways
inspection: inspect, inspects, inspected, inspection, inspections, inspector, inspectors, inspecting,
    walk round, walk-round, check visit, routine inspection, routine inspections
insurance_claim: insurance claim, insurance claims, compensation, pay out, payout, pays out, liability
    claims, claims follow, pay out on claims
parking_permit > parking: parking permit, parking permits, residents parking, residents parking permit,
    residents parking permits, resident permit, resident permits, permit, permits, visitor permit,
    visitor permits
vehicle_registration > parking: number plate, number plates, registration number, vehicle registration,
    vrm, reg plate, anpr, vehicle reg, plate
parking_enforcement > parking: civil enforcement officer, civil enforcement officers, parking attendant,
    parking attendants, traffic warden, traffic wardens, enforcement officers, pcn, pcns, penalty charge
    notice, parking ticket, parking fine
taxi: taxi, taxis, cab, cabs, hackney carriage, hackney carriages, private hire, phv, minicab, minicabs,
    taxi driver, taxi drivers, cab drivers, private hire drivers
school_transport: home to school transport, school transport, school bus, school buses, school taxi,
    school taxis, transport to school, passenger transport, send transport, sen transport, school run
vehicle: vehicle, vehicles, fleet, van, vans, car, cars, bus, buses
ev_charging: electric vehicle, electric vehicles, ev, evs, charge point, charge points, charging point,
    charging points, electric car, electric cars

# Customer services
change_of_address: change of address, changes of address, moving house, move house, moves house, moving
    home, move home, moves home, new address, house move, tell us once, when you move, residents who
    move, people who move, moved house
one_place: in one go, one form, single form, all council services, every council service, one place, one
    stop, joined up, joined-up, tell us once, update every, update all
standard_letters: standard letters, template letters, template letter, templates, standard letter,
    letter templates, council correspondence, our letters, most-sent letters

# Adult social care
hospital_discharge: hospital discharge, discharge, discharges, discharged, delayed discharge, delayed
    discharges, leave hospital, leaving hospital, home from hospital, bed blocking, medically fit, ready
    to leave hospital, ready to leave
assessment: assessment, assessments, assess, assessed, assessing, reassess, re-assess, re-assessment,
    re-assessments, reassessment, care act assessment, needs assessment, trusted assessor, shared
    assessment, own assessment
care_provider: care home, care homes, provider, providers, home care provider, home care providers, care
    agency, care agencies, domiciliary care agency, care providers, care provider
older_people: older people, older person, elderly, elderly people, elderly resident, elderly residents,
    pensioner, pensioners, older residents, older resident, frail, older adults
falls: fall, falls, fallen, falling, lying on the floor, lie on the floor, on the floor for hours, fall
    at home, falls at home
telecare > technology: telecare, careline, lifeline, pendant alarm, pendant alarms, pendant, alarm,
    alarms, assistive technology, technology enabled care, tec, wearable, wearables, response team
unpaid_carer: unpaid carer, unpaid carers, family carer, family carers, informal carer, informal carers,
    carer, carers, caring
respite: respite, short break, short breaks, a break, respite break, respite breaks, replacement care,
    sitting service, respite places
care_charges: care charges, care charge, contribution, contributions, contribute, financial assessment,
    financial assessments, means test, means-tested, pay towards their care, cost of care, care costs,
    fear the cost, how much they will pay, what they will pay
home_care: home care, domiciliary care, homecare, care at home, care worker, care workers, domiciliary
    carers, home carers, care visits, home care workers, carers visits
rota: rota, rotas, rostering, roster, rosters, rostered, scheduling, schedule, schedules, scheduled,
    timetable, shift pattern, shift patterns, shifts
social_care > care: social care, adult social care, asc, care, care services, social worker, social
    workers, care package, care packages, support plan
volunteers: volunteer, volunteers, voluntary group, voluntary groups, voluntary sector, community
    groups, community group, charity, charities, vcs

# Planning
planning > planning_service: planning, planning application, planning applications, planning permission,
    householder application, householder applications, planning submission, planning submissions,
    planning portal, planning officer, planning officers, plans, drawings
validation: validation, validate, validated, invalid, incomplete, missing information, missing plans,
    missing, checklist, checklists, check list, local validation list, can not be validated, cannot be
    validated
pre_application: pre-application, pre application, pre-app, pre app, preapp, pre-application advice,
    advice before applying, before they apply, before applying, before people apply, before they submit,
    before submitting
neighbour_comment: comment, comments, commenting, object, objects, objection, objections,
    representation, representations, consultation, neighbour, neighbours, neighbouring, site notice,
    site notices, have their say, near them, nearby, on their street, in their street
enforcement: enforcement, breach, breaches, breach of planning control, unauthorised, unauthorised
    development, unauthorised building work, planning contravention, contravention
prioritise: prioritise, prioritised, prioritising, priority, priorities, triage, triaged, triaging, risk
    based, risk-based, score, scores, scoring, urgency, urgent, first come first served, date order,
    harm, high risk, high-risk, deal with high risk cases first
risk: risk, risks, high risk, low risk, high-risk, low-risk, at risk, risk assessment, harm

# HR
new_starter: new starter, new starters, onboarding, on-boarding, induction, inductions, new employee,
    new employees, new staff, new recruit, new recruits, first day, day one, first week, start date,
    recruited, joiner, joiners, starters, when people start, when someone starts
staff: staff, employee, employees, workforce, colleague, colleagues, workers, officers, team, teams,
    staff turnover, employees leave, staff leave, staff retention, new staff, staff surveys
it_equipment: laptop, laptops, computer, computers, pc, pcs, device, devices, hardware, equipment, kit,
    desktop, desktops
account_login: account, accounts, login, logins, log in, log-in, password, passwords, system access,
    user account, user accounts, credentials, system accounts, it accounts, logon
password_reset: password reset, password resets, reset password, reset their password, forgotten
    password, forgotten passwords, forgot password, forgot their password, locked out, locked accounts,
    locked account, unlock, unlocks, unlocking, account lockout, self-service password reset, sspr
it_helpdesk: helpdesk, help desk, service desk, it helpdesk, ict helpdesk, it support, it service desk,
    ict service desk, ict support, ict call, it call, support calls
id_badge: id badge, id badges, building pass, building passes, access card, access cards, door pass, id
    card, id cards
sickness: sickness, sick, ill, illness, sickness absence, absence, absences, absent, off sick, off ill,
    sick leave, return to work, return-to-work, fit note, fit notes, sickness reporting, being off ill
leavers: leaver, leavers, resign, resigns, resignation, resignations, turnover, staff turnover,
    attrition, staff retention, exit, exit interview, exit interviews, exit survey, exit surveys, why
    people leave, leave the council, leaving the council, employees leave, staff leave, people leave,
    everyone leaving, quit, quits
mileage: mileage, mileage claim, mileage claims, mileage form, mileage forms, expenses, expense claim,
    expense claims, travel expenses, business mileage, business journeys, business journey, car
    journeys, journeys, travel claims, petrol, business travel
payroll: payroll, salary, salaries, wages, timesheet, timesheets, clock in, clock out, overtime
training: training, train, trained, course, courses, e-learning, elearning, learning, workshop,
    workshops

# IT
digital_exclusion: digital exclusion, digitally excluded, digital inclusion, no device, without devices,
    without a device, people without devices, can not get online, cannot get online, get online, go
    online, offline, data poverty, data bundle, data bundles, digital divide, no internet
reuse: refurbish, refurbished, refurbishing, refurbishment, reuse, re-use, reused, donate, donated,
    donates, donation, donations, wipe, wiped, wiping, second hand, second-hand, retired, give away,
    give them to, hand on
meeting_room: meeting room, meeting rooms, room, rooms, room booking, room bookings, meeting space,
    meeting spaces, desk booking, hot desk, hot desks, hot-desking
no_show: no show, no-show, no shows, nobody turns up, nobody has arrived, not used, unused, ghost
    booking, ghost bookings, booked but empty, bookings are not used, booked but nobody, release a
    booking, released automatically
cyber: phishing, malicious links, cyber, cyber security, cybersecurity, malware, ransomware, account
    compromise, compromised

# Finance
purchase_card: purchase card, purchase cards, purchasing card, purchasing cards, procurement card,
    procurement cards, p card, p-card, pcard, p-cards, pcards, corporate credit card, corporate card,
    corporate cards, credit card, credit cards, company card
purchase_order: purchase order, purchase orders, po, pos, raise a po, raising pos, raising a po,
    requisition, requisitions, order and invoice, order and invoice process, procure to pay, p2p,
    orders, ordering
low_value: low value, low-value, small items, small purchases, cheap, cheap purchases, cheap items,
    under 500, under 500 pounds, small spend, petty cash, minor purchases, costs more than the item,
    costs more to process than the item
invoice: invoice, invoices, invoicing, invoiced, supplier bills, supplier bill, supplier invoices,
    supplier invoice, bills from suppliers
accounts_payable: accounts payable, creditors, supplier payments, pay suppliers, suppliers, supplier,
    payments team, late payments, duplicate payments
sundry_debt: sundry debt, sundry debts, sundry debtors, unpaid invoices, invoices owed, money owed, owed
    to the council, debts owed, trade waste invoices, commercial rent arrears
budget: budget, budgets, budget holders, spending limits, spend, spending, savings, cost saving, cost
    savings

# Other services
food_hygiene: food hygiene, food safety, food business, food businesses, food premises, restaurant,
    restaurants, cafe, cafes, takeaway, takeaways, hygiene rating, hygiene ratings, scores on the doors,
    fhrs, score 5, five star, premises, low risk premises, low-risk premises
noise: noise, noisy, nuisance, loud music, barking, noise complaint, noise complaints
library: library, libraries, branch library, branch libraries, library card, library members, borrowers,
    branches, branch
open_access: open access, smart access, open plus, self-service opening, unstaffed opening, when no
    staff, when staff are not there, no staff are present, outside staffed hours, extended opening, card
    and pin, library card and pin, enter with their library card
opening_hours: opening hours, open, opening times, closed, closure, closures, closed most of the week,
    only open
birth_registration: birth registration, birth registrations, register a birth, registering a birth,
    register a baby, register the birth, birth certificate, births, newborn, new baby, baby
register_office: register office, registry office, registrar, registrars, registration service, register
    office phone line
bereavement: register a death, death registration, death, deaths, bereaved, bereavement, grieving,
    funeral, funerals, burial, burials, cemetery, cemeteries, cremation, graves
school: school, schools, pupil, pupils, children, child, kids, sen, special educational needs, ehcp,
    ehcps, education health and care plan
parents: parent, parents, families, family, guardians
admissions: admission, admissions, school place, school places, appeal, appeals
energy: energy, electricity, gas bills, energy bills, solar, solar panels, photovoltaic, pv, heat pump,
    heat pumps, insulation, carbon, net zero, climate
residents: resident, residents, citizens, customers, public, householders, local people, members of the
    public, service users, people
"""


def parse(text: str = LEXICON) -> dict[str, tuple[str | None, tuple[str, ...]]]:
    """The lexicon as {concept: (broader concept or None, terms)}; raises on a malformed entry."""
    entries: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if raw[0].isspace() and entries:  # continuation of the entry above
            entries[-1] = (entries[-1][0], entries[-1][1] + " " + raw.strip())
        else:
            entries.append((number, raw.strip()))
    concepts: dict[str, tuple[str | None, tuple[str, ...]]] = {}
    for number, line in entries:
        head, sep, body = line.partition(":")
        if not sep:
            raise ValueError(f"lexicon line {number} has no ':' ({line[:40]!r})")
        name, _, broader = (part.strip() for part in head.partition(">"))
        terms = tuple(term.strip() for term in body.split(",") if term.strip())
        if not name or not terms or name in concepts:
            raise ValueError(f"lexicon line {number}: empty or repeated concept {name!r}")
        concepts[name] = (broader or None, terms)
    return concepts
