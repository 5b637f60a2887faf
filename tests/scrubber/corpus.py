"""A labelled corpus of citizen reports, generated from templates and values
written for this project (no real person, number or account).

Each sample records where every planted identifier is (kind, start, end) and
where the incident facts that must survive are. The value lists deliberately
differ from the scrubber's gazetteer: about a quarter of the first names and
surnames below are not in it (Nahuatl and Maya names, rarer names, English
names), so name recall is measured on names the scrubber was not handed.

    python -m tests.scrubber.corpus N SEED > file.jsonl
"""

from __future__ import annotations

import json
import random
import re
import string
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import phonenumbers
from stdnum import luhn
from stdnum.mx import curp, rfc

FIRST = (
    "Juan José Luis Carlos Jorge Miguel Pedro Alejandro Fernando Ricardo Roberto Eduardo Javier "
    "Daniel Sergio Raúl Arturo Manuel Francisco Héctor Óscar Iván Brayan Kevin Jair Yahir Uriel "
    "María Guadalupe Rosa Ana Patricia Verónica Leticia Alejandra Gabriela Adriana Claudia Mónica "
    "Lupita Itzel Citlali Xóchitl Yatziri Nayeli Dulce Perla Karla Ximena Zoé Aketzali Tonatiuh "
    "Cuauhtémoc Nezahualcóyotl Ixchel Yaretzi Eréndira Tlacaélel Balam Nicté Sac Anayeli Abundio "
    "Eleuterio Macrina Eufemia Hermenegildo Filiberto Gumaro Crescencio Rutilio Anacleto"
).split()
SURNAMES = (
    "Hernández García Martínez López González Rodríguez Pérez Sánchez Ramírez Cruz Flores Gómez "
    "Morales Vázquez Reyes Jiménez Torres Díaz Gutiérrez Ruiz Mendoza Aguilar Ortiz Castillo "
    "Treviño Garza Villarreal Elizondo Cavazos Leal Salazar Zamora Tamez Montemayor Guajardo "
    "Tzompaxtle Cuautle Xicoténcatl Canché Pech Chi Uc Dzib Tun Cocom Tepetla Itzá Huerta Balderas "
    "Quintanilla Benavides Cantú Saldívar Rentería Ocampo Olivo Barragán Galindo Escamilla"
).split()
EN_FIRST = "John Michael Emily Jessica David Ashley Tyler Brianna Marcus Kayla Dustin Shelby".split()
EN_SURNAMES = "Smith Johnson Miller Davis Thompson Walker Hall Young Mitchell Carter Perkins".split()
KIN_ES = "hermano hermana hijo hija papá mamá esposo esposa primo tío sobrino vecino".split()
KIN_EN = "brother sister son daughter father mother husband wife cousin neighbor".split()

STREETS = (
    "calle Morelos|Av. Juárez|Av. Constitución|calle Zaragoza|Blvd. Díaz Ordaz|Av. Revolución|"
    "calle Padre Mier|Av. Hidalgo|calle Allende|Av. Benito Juárez|Calzada Madero|Av. Insurgentes|"
    "Paseo de la Reforma|Av. Lázaro Cárdenas|Blvd. Morelos|calle Guerrero|Av. Ruiz Cortines|"
    "calle 5 de Mayo|Av. Fidel Velázquez|calle Galeana|Av. Gonzalitos|Av. Venustiano Carranza"
).split("|")
CROSS = "Zaragoza|Escobedo|Matamoros|Cuauhtémoc|Pino Suárez|Guerrero|Aldama|Villagrán|Colón".split("|")
COLONIAS = (
    "colonia Independencia|col. Industrial|colonia Guadalupe|colonia Victoria|col. Roma Norte|"
    "colonia Morelos|colonia Benito Juárez|colonia Las Flores|col. Santa Rosa|colonia Mitras Centro|"
    "colonia Emiliano Zapata|fraccionamiento Valle Soleado|colonia Lomas de San Juan"
).split("|")
PLACES = (
    "Monterrey|Reynosa|Nuevo Laredo|Guadalupe|Santa Catarina|Ciudad Victoria|Culiacán|Tijuana|"
    "Ciudad Juárez|San Pedro Garza García|Apodaca|General Escobedo|Matamoros|Dolores Hidalgo|"
    "Salinas Victoria|Fresnillo|Celaya|Zamora|Uruapan|Chilpancingo|Cuernavaca|Río Bravo"
).split("|")
INSTITUTIONS = (
    "Guardia Nacional|Fiscalía General del Estado|Hospital General|Cruz Roja|Policía Municipal|"
    "Secundaria Técnica No. 12|Escuela Primaria Benito Juárez|Hospital San José|Ejército|"
    "Protección Civil|Ministerio Público|Marina|Fuerza Civil|Policía Estatal|Clínica 33 del IMSS"
).split("|")
HASHTAGS = "#SDRMonterrey #ReynosaFollow #AlertaCuliacán #MTYfollow #NuevoLaredoEnVivo #ZacatecasAlerta".split()
VEHICLES = "camioneta blanca|Lobo negra|Tsuru rojo|Suburban gris|moto sin placas|Jetta plata".split("|")
MX_AREA = "55 81 33 899 868 656 614 667 744 222 442 999 871 844 492 443 461".split()
US_AREA = "956 915 210 713 214 520 619".split()
DOMAINS = "gmail.com hotmail.com yahoo.com.mx outlook.com prodigy.net.mx icloud.com".split()
_RANK_WEIGHTS = [1 / (n + 4) for n in range(200)]
STATES = "AS BC BS CC CL CM CS CH DF DG GT GR HG JC MC MN MS NT NL OC PL QT QR SP SL SR TC TS TL VZ YN ZS".split()


@dataclass
class Sample:
    text: str
    lang: str
    identifiers: list[tuple[str, int, int]] = field(default_factory=list)
    facts: list[tuple[int, int]] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps({"text": self.text, "lang": self.lang, "identifiers": self.identifiers,
                           "facts": self.facts}, ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> "Sample":
        item = json.loads(line)
        return cls(item["text"], item["lang"], [tuple(x) for x in item["identifiers"]],
                   [tuple(x) for x in item["facts"]])


class _Values:
    """Slot fillers: each returns (text, kind) where kind is an identifier kind,
    'fact', or None for plain words."""

    def __init__(self, rng: random.Random) -> None:
        self.r = rng

    def pick(self, seq: list[str]) -> str:
        return self.r.choice(seq)

    def ranked(self, seq: list[str]) -> str:
        """Names are drawn by rank, as in a population: the lists are ordered
        from common to rare and the n-th is drawn with weight 1/(n + 4)."""
        return self.r.choices(seq, weights=_RANK_WEIGHTS[: len(seq)])[0]

    def digits(self, n: int) -> str:
        return "".join(self.r.choice(string.digits) for _ in range(n))

    def letters(self, n: int, alphabet: str = string.ascii_uppercase) -> str:
        return "".join(self.r.choice(alphabet) for _ in range(n))

    # identifiers -------------------------------------------------------
    def _mx_national(self) -> str:
        while True:
            area = self.pick(MX_AREA)
            number = area + str(self.r.randint(2, 9)) + self.digits(9 - len(area))
            if phonenumbers.is_valid_number(phonenumbers.parse(number, "MX")):
                return number

    def phone(self) -> tuple[str, str]:
        if self.r.random() < 0.15:
            return self.us_phone()
        n = self._mx_national()
        a, rest = (n[:2], n[2:]) if n[:2] in ("55", "81", "33") else (n[:3], n[3:])
        p1, p2 = rest[:-4], rest[-4:]
        forms = [n, f"{a} {p1} {p2}", f"{a}-{p1}-{p2}", f"{a}.{p1}.{p2}", f"({a}) {p1} {p2}",
                 f"({a}){p1}-{p2}", f"+52 {a} {p1} {p2}", f"+52 1 {a} {p1} {p2}", f"+521{n}",
                 f"044 {a} {p1} {p2}", f"045 {a} {p1} {p2}", f"{n[:3]} {n[3:6]} {n[6:]}",
                 f"01 {a} {p1} {p2}", f"+52{n}", f"{n[:2]} {n[2:4]} {n[4:6]} {n[6:8]} {n[8:]}"]
        return self.pick(forms), "phone"

    def us_phone(self) -> tuple[str, str]:
        while True:
            n = self.pick(US_AREA) + str(self.r.randint(2, 9)) + self.digits(6)
            if phonenumbers.is_valid_number(phonenumbers.parse(n, "US")):
                break
        forms = [f"({n[:3]}) {n[3:6]}-{n[6:]}", f"{n[:3]}-{n[3:6]}-{n[6:]}", f"+1 {n[:3]} {n[3:6]} {n[6:]}",
                 f"{n[:3]}.{n[3:6]}.{n[6:]}", f"1-{n[:3]}-{n[3:6]}-{n[6:]}"]
        return self.pick(forms), "phone"

    def _user(self) -> str:
        first, last = self.ranked(FIRST), self.ranked(SURNAMES)
        base = _ascii(self.r.choice([f"{first}.{last}", f"{first}{last}", f"{first[0]}{last}",
                                     f"{first}_{last}{self.r.randint(1, 99)}"]))
        return base.lower()

    def email(self) -> tuple[str, str]:
        return f"{self._user()}@{self.pick(DOMAINS)}", "email"

    def obfuscated_email(self) -> tuple[str, str]:
        user, (host, *tld) = self._user(), self.pick(DOMAINS).split(".")
        at, dot = self.pick([(" arroba ", " punto "), (" [at] ", " [dot] "), (" (arroba) ", " (punto) "),
                             (" at ", " dot ")])
        return user + at + host + "".join(dot + t for t in tld), "email"

    def url(self) -> tuple[str, str]:
        user = self._user()
        forms = [f"https://www.facebook.com/{user}", f"facebook.com/profile.php?id=100{self.digits(10)}",
                 f"instagram.com/{user.replace('.', '_')}", f"https://x.com/{user.replace('.', '')}",
                 f"twitter.com/{user.replace('.', '_')}", f"https://www.tiktok.com/@{user}",
                 f"https://wa.me/521{self._mx_national()}", f"wa.me/52{self._mx_national()}",
                 f"t.me/{user.replace('.', '_')}", f"https://fb.com/{user}"]
        return self.pick(forms), "url"

    def handle(self) -> tuple[str, str]:
        return "@" + self.r.choice([self._user().replace(".", "_"), self._user()[:12]]), "handle"

    def curp(self) -> tuple[str, str]:
        while True:
            body = (self.letters(1, "BCDFGHJKLMNPRSTVZ") + self.letters(1, "AEIOU") + self.letters(2)
                    + f"{self.r.randint(60, 99):02d}{self.r.randint(1, 12):02d}{self.r.randint(1, 28):02d}"
                    + self.pick(["H", "M"]) + self.pick(STATES) + self.letters(3, "BCDFGHJKLMNPRSTVZ")
                    + str(self.r.randint(0, 9)))
            value = body + curp.calc_check_digit(body + "0")
            if curp.is_valid(value):
                return value, "curp"

    def rfc(self) -> tuple[str, str]:
        while True:
            body = (self.letters(4, "BCDFGHJKLMNPRSTVZAEIOU") + f"{self.r.randint(60, 99):02d}"
                    + f"{self.r.randint(1, 12):02d}{self.r.randint(1, 28):02d}" + self.letters(2, "ABCDEFGHJKLMNPRSTUVWXYZ123456789"))
            value = body + rfc.calc_check_digit(body + "0")
            if rfc.is_valid(value):
                return value, "rfc"

    def ine(self) -> tuple[str, str]:
        value = (self.letters(6, "BCDFGHJKLMNPRSTVZAEIOUX") + f"{self.r.randint(60, 99):02d}"
                 + f"{self.r.randint(1, 12):02d}{self.r.randint(1, 28):02d}{self.r.randint(1, 32):02d}"
                 + self.pick(["H", "M"]) + self.digits(3))
        return value, "ine"

    def nss(self) -> tuple[str, str]:
        body = self.digits(10)
        value = body + luhn.calc_check_digit(body)
        return self.pick([value, f"{value[:2]} {value[2:4]} {value[4:6]} {value[6:10]} {value[10]}"]), "nss"

    def clabe(self) -> tuple[str, str]:
        body = self.pick(["002", "012", "014", "021", "072", "127", "137"]) + self.digits(14)
        weights = (3, 7, 1) * 6
        check = (10 - sum(int(d) * w % 10 for d, w in zip(body, weights)) % 10) % 10
        value = body + str(check)
        return self.pick([value, f"{value[:3]} {value[3:6]} {value[6:17]} {value[17]}"]), "clabe"

    def card(self) -> tuple[str, str]:
        body = self.pick(["4", "51", "52", "55"]) + self.digits(15 - 1)
        body = body[:15]
        value = body + luhn.calc_check_digit(body)
        groups = " ".join(value[i:i + 4] for i in range(0, 16, 4))
        return self.pick([value, groups, groups.replace(" ", "-")]), "card"

    def imei(self) -> tuple[str, str]:
        body = self.pick(["35", "86", "49", "01"]) + self.digits(12)
        value = body + luhn.calc_check_digit(body)
        return self.pick([value, f"{value[:2]}-{value[2:8]}-{value[8:14]}-{value[14]}"]), "imei"

    def plate(self) -> tuple[str, str]:
        L, D = self.letters, self.digits
        return self.pick([f"{L(3)}-{D(3)}-{L(1)}", f"{L(3)}-{D(2)}-{D(2)}", f"{L(3)}{D(3)}{L(1)}",
                          f"{L(3)}-{D(4)}", f"{L(2)}-{D(4)}-{L(1)}", f"{L(3)} {D(4)}", f"{D(1)}{L(3)}{D(3)}"]), "plate"

    def ip(self) -> tuple[str, str]:
        if self.r.random() < 0.2:
            return f"2806:{self.r.randint(256, 4095):x}:{self.r.randint(0, 65535):x}:{self.r.randint(0, 65535):x}::{self.r.randint(1, 255):x}", "ip"
        return ".".join(str(self.r.randint(1, 254)) for _ in range(4)), "ip"

    def coordinates(self) -> tuple[str, str]:
        lat, lon = self.r.uniform(16, 31), self.r.uniform(-116, -87)
        return self.pick([f"{lat:.6f}, {lon:.6f}", f"lat {lat:.5f} lon {lon:.5f}", f"{lat:.4f}° N, {-lon:.4f}° W",
                          f"{lat:.6f},{lon:.6f}"]), "coordinates"

    def address(self) -> tuple[str, str]:
        street = self.pick(["Hidalgo", "Juárez", "Morelos", "Las Palmas", "Río Nazas", "Jacarandas",
                            "Francisco I. Madero", "Paseo de los Leones", "Emiliano Zapata", "Sierra Madre",
                            "Nogal", "Laurel", "Privada Encinos", "Benito Juárez", "Vicente Guerrero"])
        n = str(self.r.randint(1, 3999))
        return self.pick([f"calle {street} {n}", f"Av. {street} #{n}", f"{street} No. {n} int. {self.r.randint(1, 9)}",
                          f"C. {street} {n}", f"calle {street} número {n}", f"Mz {self.r.randint(1, 90)} Lt {self.r.randint(1, 40)}",
                          f"Privada {street} {n}-B", f"{street} #{n}"]), "address"

    def us_address(self) -> tuple[str, str]:
        return f"{self.r.randint(10, 9999)} {self.pick(['Oak', 'Elm', 'Pecan', 'Mesquite', 'Rio Grande'])} " \
               f"{self.pick(['Street', 'St', 'Avenue', 'Ave', 'Drive', 'Rd'])}", "address"

    def name(self) -> tuple[str, str]:
        first, s1, s2 = self.ranked(FIRST), self.ranked(SURNAMES), self.ranked(SURNAMES)
        return self.pick([f"{first} {s1}", f"{first} {s1} {s2}", f"{first} {self.ranked(FIRST)} {s1}",
                          f"{first} {s1}", f"{first} {s1} {s2}"]), "name"

    def first_name(self) -> tuple[str, str]:
        return self.ranked(FIRST), "name"

    def en_name(self) -> tuple[str, str]:
        return f"{self.ranked(EN_FIRST)} {self.ranked(EN_SURNAMES)}", "name"

    # facts --------------------------------------------------------------
    def street(self) -> tuple[str, str]:
        return self.pick(STREETS), "fact"

    def intersection(self) -> tuple[str, str]:
        return self.pick([f"{self.pick(STREETS)} y {self.pick(CROSS)}",
                          f"{self.pick(STREETS)} esquina con {self.pick(CROSS)}"]), "fact"

    def colonia(self) -> tuple[str, str]:
        return self.pick(COLONIAS), "fact"

    def place(self) -> tuple[str, str]:
        return self.pick(PLACES), "fact"

    def institution(self) -> tuple[str, str]:
        return self.pick(INSTITUTIONS), "fact"

    def men(self) -> tuple[str, str]:
        return f"{self.r.randint(2, 30)} {self.pick(['hombres armados', 'sujetos armados', 'encapuchados', 'personas'])}", "fact"

    def trucks(self) -> tuple[str, str]:
        return f"{self.r.randint(2, 12)} {self.pick(['camionetas', 'patrullas', 'vehículos', 'trocas'])}", "fact"

    def time(self) -> tuple[str, str]:
        return self.pick([f"a las {self.r.randint(0, 23)}:{self.r.randint(0, 59):02d}",
                          f"como a las {self.r.randint(1, 11)} de la noche", f"a las {self.r.randint(1, 11)} de la tarde",
                          f"alrededor de las {self.r.randint(10, 23)}:{self.r.choice(['00', '15', '30', '45'])}"]), "fact"

    def date(self) -> tuple[str, str]:
        return self.pick([f"el {self.r.randint(1, 28)} de {self.pick(['enero', 'marzo', 'mayo', 'noviembre'])}",
                          f"el 2026-{self.r.randint(1, 12):02d}-{self.r.randint(1, 28):02d}",
                          f"el {self.r.randint(1, 28)}/{self.r.randint(1, 12)}/2026"]), "fact"

    def km(self) -> tuple[str, str]:
        return self.pick([f"km {self.r.randint(1, 250)}", f"kilómetro {self.r.randint(1, 250)}",
                          f"carretera {self.r.choice([15, 40, 45, 54, 57, 85, 101])}",
                          f"carretera federal {self.r.choice([2, 15, 45, 57])} km {self.r.randint(1, 200)}"]), "fact"

    def hashtag(self) -> tuple[str, str]:
        return self.pick(HASHTAGS), "fact"

    def vehicle(self) -> tuple[str, str]:
        return self.pick(VEHICLES), "fact"

    def en_time(self) -> tuple[str, str]:
        return f"at {self.r.randint(1, 12)}:{self.r.choice(['00', '15', '30', '45'])} {self.pick(['am', 'pm'])}", "fact"

    def kin(self) -> tuple[str, None]:
        return self.pick(KIN_ES), None

    def en_kin(self) -> tuple[str, None]:
        return self.pick(KIN_EN), None


TEMPLATES_ES = [
    "Retén de {men} en {street} a la altura del {km}. Si alguien sabe algo llámenme al {phone}.",
    "Se llevaron a mi {kin} {name} {time} en la {colonia}, {place}. Cualquier información al {phone} o {email}.",
    "URGENTE balacera en {intersection}, {colonia}. Eviten la zona {hashtag}",
    "Mi {kin} {name} desapareció {date}. Vive en {address}, {colonia}. Su CURP es {curp}.",
    "Levantaron a {name} {time}, {men} en una {vehicle} con placas {plate} sobre {street}.",
    "La {institution} tiene cerrado {street} desde {time}. Más info en {url}",
    "Vean lo que subió {handle}: hay {trucks} bloqueando {intersection} {hashtag}",
    "Me están amenazando al {phone}, tengo miedo. Escríbanme a {obfuscated_email}, estoy cerca de {coordinates}.",
    "Piden depositar a la CLABE {clabe} o a la tarjeta {card} para soltar a mi {kin} {name}.",
    "A {name} le quitaron el celular, IMEI {imei}, en {intersection} {time}.",
    "Se busca a {name}, NSS {nss}, trabajaba cerca del {institution} en {place}.",
    "Mi {kin} se llama {first_name}, no aparece desde {date}. Lo vieron por {street}.",
    "Doña {name} vio a {men} bajar de una {vehicle} en {colonia}. Ella vive en {address}.",
    "Quemaron un negocio en {street}, {place}. Llegaron {trucks} de la {institution} {time}.",
    "Mi nombre es {name}, mi RFC {rfc}. Me extorsionan desde el {phone}.",
    "Clave de elector de mi {kin}: {ine}. Se lo llevaron {date} en {place}.",
    "El que amenaza escribe desde la IP {ip}, su perfil es {url}. {hashtag}",
    "balacera en {intersection} {time}, {men}, no salgan {hashtag}",
    "Encontraron {men} tirados en el {km}, cerca de {place}. Reporten a la {institution}.",
    "Hay {trucks} en {street} y {men} revisando carros. Avísenle a {first_name} que no pase, su cel {phone}.",
    "Ayúdenme a buscar a {name}, salió de {address} {date} y no regresó. Contacto {email} o {handle}.",
    "Persecución por {street} hacia {place}, la {vehicle} con placa {plate}. {hashtag}",
    "Bloqueo con {vehicle} quemada en el {km} {time}. {institution} ya está en el lugar.",
    "Ubicación exacta: {coordinates}. Ahí tienen a {name}, por favor avisen a la {institution}.",
    "Mi tarjeta {card} la usaron para pagar el rescate de mi {kin} {first_name} en {place}.",
    "Estamos en {colonia}, {men} y {trucks} frente a la {institution}. Marquen al {phone}",
]
TEMPLATES_EN = [
    "My {en_kin} {en_name} was taken {en_time} near {intersection} in {place}. Call me at {phone}.",
    "Checkpoint with {men} at {km}, please share. Contact {email} {hashtag}",
    "Shooting at {street}, {colonia}. My friend {name} lives at {address}, text {phone}.",
    "Armed men took {name} from {us_address} in Laredo, plates {plate}, {vehicle}.",
    "They threatened me from {url} and {handle}. My {en_kin} {first_name} is missing since {date}.",
    "Exact location {coordinates}, {trucks} parked by the {institution}. Email me at {obfuscated_email}",
    "Please help find {en_name}, last seen {en_time} at {street}, {place}. Phone {phone}",
    "They asked for a deposit to card {card} or CLABE {clabe} to release my {en_kin}.",
]


def _ascii(s: str) -> str:
    return s.translate(_STRIP)


_STRIP = str.maketrans("áéíóúÁÉÍÓÚñÑüÜ", "aeiouAEIOUnNuU")
_SLOT = re.compile(r"\{(\w+)\}")


def _fill(template: str, lang: str, values: _Values) -> Sample:
    sample = Sample("", lang)
    parts: list[str] = []
    cursor = 0
    length = 0
    for m in _SLOT.finditer(template):
        literal = template[cursor:m.start()]
        parts.append(literal)
        length += len(literal)
        filler: Callable[[], tuple[str, str | None]] = getattr(values, m.group(1))
        value, kind = filler()
        if kind == "fact":
            sample.facts.append((length, length + len(value)))
        elif kind:
            sample.identifiers.append((kind, length, length + len(value)))
        parts.append(value)
        length += len(value)
        cursor = m.end()
    parts.append(template[cursor:])
    sample.text = "".join(parts)
    return sample


def _vary_case(sample: Sample, rng: random.Random) -> None:
    # Transforms that keep every offset: lower case, capitals, no accents.
    roll = rng.random()
    if roll < 0.12:
        sample.text = sample.text.lower()
    elif roll < 0.18:
        sample.text = sample.text.upper()
    elif roll < 0.30:
        sample.text = _ascii(sample.text)


def generate(n: int, seed: int) -> list[Sample]:
    rng = random.Random(seed)
    values = _Values(rng)
    samples = []
    for _ in range(n):
        lang = "en" if rng.random() < 0.25 else "es"
        template = rng.choice(TEMPLATES_EN if lang == "en" else TEMPLATES_ES)
        sample = _fill(template, lang, values)
        _vary_case(sample, rng)
        samples.append(sample)
    return samples


if __name__ == "__main__":
    count, seed = int(sys.argv[1]), int(sys.argv[2])
    for s in generate(count, seed):
        print(s.to_json())


STRUCTURED = ("phone", "email", "url", "handle", "curp", "rfc", "ine", "nss", "clabe", "card",
              "imei", "plate", "ip", "address", "coordinates")


@dataclass
class Scores:
    found: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)
    facts_kept: int = 0
    facts_total: int = 0
    misses: list[tuple[str, str]] = field(default_factory=list)
    destroyed: list[str] = field(default_factory=list)

    def recall(self, kinds: tuple[str, ...] | None = None) -> float:
        selected = [k for k in self.total if kinds is None or k in kinds]
        total = sum(self.total[k] for k in selected)
        return sum(self.found.get(k, 0) for k in selected) / total if total else 1.0

    def keep_rate(self) -> float:
        return self.facts_kept / self.facts_total if self.facts_total else 1.0


def score(samples: list[Sample], spans: list[list[tuple[int, int]]]) -> Scores:
    """An identifier counts as found when every letter and digit of it lies in
    a reported span; a fact counts as kept when no span touches it."""
    scores = Scores()
    for sample, found in zip(samples, spans):
        covered = [False] * len(sample.text)
        for s, e in found:
            for i in range(max(0, s), min(e, len(covered))):
                covered[i] = True
        for kind, s, e in sample.identifiers:
            scores.total[kind] = scores.total.get(kind, 0) + 1
            if all(covered[i] for i in range(s, e) if sample.text[i].isalnum()):
                scores.found[kind] = scores.found.get(kind, 0) + 1
            else:
                scores.misses.append((kind, sample.text[s:e]))
        for s, e in sample.facts:
            scores.facts_total += 1
            if any(covered[s:e]):
                scores.destroyed.append(sample.text[s:e])
            else:
                scores.facts_kept += 1
    return scores
