"""Demo data: the Prague residence-office scenario. Idempotent: run it as often as you like.

OKENKO_DEMO_SECRET, when set, becomes the password of every demo staff account and the token of
every demo device. Otherwise each account and device gets a random secret, printed once when it
is created (kept as a hash only).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Branch, Counter, Device, DeviceKind, Display, Role, Service, Slide, Staff
from models.security import hash_password, token_fingerprint, verify_password

LANGUAGES = ["cs", "ru", "vi", "mn", "en", "fr", "uk", "ar"]
WEEKDAY_HOURS = [["08:00", "12:00"], ["13:00", "17:00"]]
OPENING_HOURS = {day: WEEKDAY_HOURS for day in ("mon", "tue", "wed", "thu")} | {"fri": [["08:00", "12:00"]]}
# Czech public holidays: fixed ones every year, Easter Friday and Monday by date.
HOLIDAYS = ["01-01", "05-01", "05-08", "07-05", "07-06", "09-28", "10-28", "11-17", "12-24", "12-25", "12-26",
            "2026-04-03", "2026-04-06", "2027-03-26", "2027-03-29"]
# Koněvova is open round the clock in the demo, so the kiosk can be tried at any hour.
ALWAYS_OPEN = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}

SERVICES = [
    {"code": "assistance", "prefix": "A", "priority": 0, "expected_minutes": 8,
     "names": {"cs": "Asistence", "ru": "Ассистенция", "vi": "Hỗ trợ", "mn": "Туслалцаа",
               "en": "Assistance", "fr": "Assistance", "uk": "Асистенція", "ar": "المساعدة"},
     "descriptions": {
         "cs": "Pomoc s formuláři, orientace na úřadě, tlumočení krátkých dotazů.",
         "ru": "Помощь с анкетами, ориентация в учреждении, короткие вопросы.",
         "vi": "Hỗ trợ điền đơn, hướng dẫn tại cơ quan, giải đáp câu hỏi ngắn.",
         "mn": "Маягт бөглөх, байгууллагад чиглүүлэх, богино асуултад туслах.",
         "en": "Help with forms, finding your way in the office, short questions.",
         "fr": "Aide aux formulaires, orientation dans l'office, questions courtes.",
         "uk": "Допомога з формулярами, орієнтація в установі, короткі питання.",
         "ar": "مساعدة في ملء الاستمارات والتوجيه داخل المكتب والأسئلة القصيرة."}},
    {"code": "residence", "prefix": "R", "priority": 0, "expected_minutes": 20,
     "bookable": True, "slot_minutes": 30, "slot_capacity": 2,
     "names": {"cs": "Pobytové poradenství", "ru": "Консультации по вопросам пребывания",
               "vi": "Tư vấn cư trú", "mn": "Оршин суух асуудлын зөвлөгөө", "en": "Residence counselling",
               "fr": "Conseil en matière de séjour", "uk": "Консультації щодо перебування",
               "ar": "استشارات الإقامة"},
     "descriptions": {
         "cs": "Povolení k pobytu, prodloužení, změna účelu, sloučení rodiny.",
         "ru": "Вид на жительство, продление, смена цели, воссоединение семьи.",
         "vi": "Giấy phép cư trú, gia hạn, thay đổi mục đích, đoàn tụ gia đình.",
         "mn": "Оршин суух зөвшөөрөл, сунгалт, зорилго өөрчлөх, гэр бүлийн нэгдэл.",
         "en": "Residence permits, extensions, change of purpose, family reunification.",
         "fr": "Titres de séjour, prolongation, changement de motif, regroupement familial.",
         "uk": "Дозвіл на проживання, продовження, зміна мети, возз'єднання сім'ї.",
         "ar": "تصاريح الإقامة وتمديدها وتغيير الغرض ولمّ شمل الأسرة."}},
    {"code": "legal", "prefix": "L", "priority": 0, "expected_minutes": 30,
     "bookable": True, "slot_minutes": 60, "slot_capacity": 1,
     "names": {"cs": "Právní poradenství", "ru": "Юридическая консультация", "vi": "Tư vấn pháp lý",
               "mn": "Хуулийн зөвлөгөө", "en": "Legal counselling", "fr": "Conseil juridique",
               "uk": "Юридична консультація", "ar": "الاستشارات القانونية"},
     "descriptions": {
         "cs": "Složitější případy: zamítnutí, odvolání, správní řízení.",
         "ru": "Сложные случаи: отказ, обжалование, административное производство.",
         "vi": "Trường hợp phức tạp: bị từ chối, kháng nghị, thủ tục hành chính.",
         "mn": "Нарийн асуудал: татгалзал, давж заалдах, захиргааны журам.",
         "en": "Complex cases: refusals, appeals, administrative proceedings.",
         "fr": "Cas complexes : refus, recours, procédures administratives.",
         "uk": "Складні випадки: відмова, оскарження, адміністративне провадження.",
         "ar": "الحالات المعقدة: الرفض والطعن والإجراءات الإدارية."}},
    {"code": "interpreting", "prefix": "I", "priority": 0, "expected_minutes": 15,
     "bookable": True, "slot_minutes": 30, "slot_capacity": 1,
     "needs_language_match": True,
     "names": {"cs": "Tlumočení", "ru": "Устный перевод", "vi": "Phiên dịch", "mn": "Орчуулга",
               "en": "Interpreting", "fr": "Interprétariat", "uk": "Усний переклад", "ar": "الترجمة الفورية"},
     "descriptions": {
         "cs": "Certifikovaný tlumočník vás doprovodí k přepážce úřadu.",
         "ru": "Сертифицированный переводчик проводит вас к окошку.",
         "vi": "Phiên dịch viên có chứng chỉ đi cùng bạn đến quầy.",
         "mn": "Мэргэшсэн орчуулагч таныг цонх руу дагалдана.",
         "en": "A certified interpreter goes with you to the office's counter.",
         "fr": "Un interprète certifié vous accompagne au guichet.",
         "uk": "Сертифікований перекладач супроводить вас до віконця.",
         "ar": "مترجم معتمد يرافقك إلى شباك المكتب."}},
]


@dataclass
class BranchSeed:
    code: str
    names: dict[str, str]
    address: str
    services: list[str]
    # counter name -> service codes
    counters: dict[str, list[str]] = field(default_factory=dict)
    # counter name -> (username, languages): staffed when the demo is first seeded
    staffed: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    opening_hours: dict = field(default_factory=lambda: OPENING_HOURS)


BRANCHES = [
    BranchSeed("praha-iv", {"cs": "Praha IV – Koněvova", "en": "Prague IV – Koněvova"},
               "Koněvova 188/32, Praha 3 – Žižkov",
               ["assistance", "residence", "legal", "interpreting"],
               {"Přepážka 1": ["assistance"], "Přepážka 2": ["assistance", "residence"],
                "Přepážka 3": ["residence", "legal"], "Tlumočníci": ["interpreting"]},
               staffed={"Přepážka 1": ("assistant", ["cs", "uk", "ru"]),
                        "Přepážka 2": ("counsellor", ["cs", "ru", "en"]),
                        "Tlumočníci": ("interpreter-vi", ["vi"])},
               opening_hours=ALWAYS_OPEN),
    BranchSeed("praha-iii", {"cs": "Praha III – Cigánkova", "en": "Prague III – Cigánkova"},
               "Cigánkova 1861/2, Praha 4 – Chodov",
               ["assistance", "residence", "interpreting"],
               {"Přepážka 1": ["assistance", "residence"], "Tlumočníci": ["interpreting"]}),
    BranchSeed("praha-i", {"cs": "Praha I – Nad Vršovskou horou", "en": "Prague I – Nad Vršovskou horou"},
               "Nad Vršovskou horou 88/4, Praha 10 – Bohdalec",
               ["assistance", "residence", "interpreting"],
               {"Přepážka 1": ["assistance", "residence"], "Tlumočníci": ["interpreting"]}),
]

STAFF = [
    ("admin", "Správce systému", Role.ADMIN, ["cs", "en"]),
    ("coordinator", "Koordinátorka projektu", Role.COORDINATOR, ["cs", "en"]),
    ("counsellor", "Pobytová poradkyně", Role.COUNSELLOR, ["cs", "ru", "en"]),
    ("lawyer", "Právník", Role.COUNSELLOR, ["cs", "en", "fr"]),
    ("assistant", "Asistentka", Role.COUNSELLOR, ["cs", "uk", "ru"]),
    ("interpreter-ru", "Tlumočnice (RU, UK)", Role.INTERPRETER, ["ru", "uk"]),
    ("interpreter-vi", "Tlumočník (VI)", Role.INTERPRETER, ["vi"]),
    ("interpreter-mn", "Tlumočnice (MN)", Role.INTERPRETER, ["mn"]),
    ("interpreter-ar", "Tlumočník (AR, FR)", Role.INTERPRETER, ["ar", "fr"]),
    ("receptionist", "Recepce", Role.RECEPTIONIST, ["cs", "en"]),
]

SLIDES = [
    ("cs", "Prodloužení pobytu", "Žádost o prodloužení podejte nejdříve 120 a nejpozději poslední den "
     "platnosti povolení. Pomůžeme vám s formulářem u přepážky Asistence."),
    ("en", "Extending your residence", "Apply no earlier than 120 days and no later than the last day "
     "your permit is valid. The Assistance desk helps with the form."),
    ("ru", "Продление пребывания", "Подайте заявление не раньше чем за 120 дней и не позднее последнего "
     "дня действия разрешения. Окошко «Ассистенция» поможет с анкетой."),
    ("vi", "Gia hạn cư trú", "Nộp đơn sớm nhất 120 ngày và muộn nhất vào ngày cuối cùng giấy phép còn "
     "hiệu lực. Quầy Hỗ trợ giúp bạn điền đơn."),
    ("uk", "Медичне страхування", "Для більшості видів перебування потрібне комплексне медичне "
     "страхування. Запитайте нас, яке страхування вам підходить."),
    ("mn", "Эрүүл мэндийн даатгал", "Ихэнх оршин суух зөвшөөрөлд эрүүл мэндийн иж бүрэн даатгал "
     "шаардлагатай. Танд аль нь тохирохыг биднээс асуугаарай."),
    ("fr", "Coutumes tchèques", "On salue en entrant dans un bureau (« Dobrý den ») et en sortant "
     "(« Na shledanou »)."),
    ("ar", "أين تجد المساعدة", "تقدم المنظمات غير الحكومية استشارات اجتماعية وقانونية مجانية. "
     "اسأل في مكتب المساعدة عن أقرب مركز."),
]


def seed_demo(session: Session, secret: str | None = None) -> list[tuple[str, str]]:
    """Create or update the demo data. Returns (what, secret) for newly generated secrets."""
    printed: list[tuple[str, str]] = []
    services_by_branch: dict[str, dict[str, Service]] = {}
    for username, name, role, languages in STAFF:
        printed += _staff(session, username, name, role, languages, secret)
    session.flush()
    for seed in BRANCHES:
        branch = _branch(session, seed)
        services_by_branch[seed.code] = _services(session, branch, seed)
        _counters(session, branch, seed, services_by_branch[seed.code])
        for kind in DeviceKind:
            printed += _device(session, branch, kind, secret)
        _display(session, branch)
    _slides(session)
    session.flush()
    return printed


def _get_or_add(session: Session, model, **keys):
    row = session.execute(select(model).filter_by(**keys)).scalar_one_or_none()
    if row is None:
        row = model(**keys)
        session.add(row)
    return row


def _branch(session: Session, seed: BranchSeed) -> Branch:
    branch = _get_or_add(session, Branch, code=seed.code)
    branch.names, branch.address = seed.names, seed.address
    branch.timezone, branch.languages, branch.opening_hours = "Europe/Prague", LANGUAGES, seed.opening_hours
    branch.event_seq = branch.event_seq or 0
    branch.closed_days = HOLIDAYS
    session.flush()
    return branch


def _services(session: Session, branch: Branch, seed: BranchSeed) -> dict[str, Service]:
    out = {}
    for order, data in enumerate(SERVICES):
        if data["code"] not in seed.services:
            continue
        service = _get_or_add(session, Service, branch_id=branch.id, code=data["code"])
        for key, value in data.items():
            setattr(service, key, value)
        service.sort_order, service.active, service.languages = order, True, []
        out[service.code] = service
    session.flush()
    return out


def _counters(session: Session, branch: Branch, seed: BranchSeed, services: dict[str, Service]) -> None:
    for order, (name, codes) in enumerate(seed.counters.items()):
        counter = session.execute(select(Counter).filter_by(branch_id=branch.id, name=name)).scalar_one_or_none()
        if counter is None:
            counter = Counter(branch_id=branch.id, name=name, state="closed", languages=[])
            session.add(counter)
            _staff_counter(session, counter, seed.staffed.get(name))
        counter.sort_order = order
        counter.services = [services[code] for code in codes]


def _staff_counter(session: Session, counter: Counter, staffing: tuple[str, list[str]] | None) -> None:
    """A demo day in progress: some counters are open (only when first created)."""
    if staffing is None:
        return
    username, languages = staffing
    staff = session.execute(select(Staff).filter_by(username=username)).scalar_one()
    counter.state, counter.staff_id, counter.languages = "open", staff.id, languages


def _device(session: Session, branch: Branch, kind: DeviceKind, secret: str | None) -> list[tuple[str, str]]:
    name = f"{kind.value}-1"
    device = session.execute(select(Device).filter_by(branch_id=branch.id, name=name)).scalar_one_or_none()
    if device is not None and not secret:
        return []
    token = secret or secrets.token_urlsafe(24)
    if device is None:
        device = Device(branch_id=branch.id, name=name, kind=kind.value, token_hash="")
        session.add(device)
    device.kind, device.token_hash = kind.value, token_fingerprint(token)
    return [] if secret else [(f"{kind.value} token, {branch.code}", token)]


def _display(session: Session, branch: Branch) -> None:
    session.flush()
    device = session.execute(select(Device).filter_by(branch_id=branch.id, kind="display")).scalars().first()
    display = _get_or_add(session, Display, branch_id=branch.id, name="Čekárna")
    display.device_id = device.id if device else None


def _staff(session: Session, username: str, name: str, role: Role, languages: list[str],
           secret: str | None) -> list[tuple[str, str]]:
    staff = session.execute(select(Staff).filter_by(username=username)).scalar_one_or_none()
    created = staff is None
    if created:
        staff = Staff(username=username)
        session.add(staff)
    staff.display_name, staff.role, staff.languages, staff.active = name, role.value, languages, True
    if secret and (created or not verify_password(staff.password_hash, secret)):
        staff.password_hash = hash_password(secret)
    elif created:
        password = secrets.token_urlsafe(9)
        staff.password_hash = hash_password(password)
        return [(f"password of {username} ({role.value})", password)]
    return []


def _slides(session: Session) -> None:
    for order, (language, title, body) in enumerate(SLIDES):
        slide = _get_or_add(session, Slide, branch_id=None, language=language, title=title)
        slide.body, slide.sort_order, slide.duration_s, slide.active = body, order, 15, True
