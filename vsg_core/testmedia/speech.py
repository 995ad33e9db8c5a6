"""Dialogue stems: sentences spoken by espeak-ng, resampled to 48 kHz and placed at seeded times.

A pool of clips is synthesised once per language (each sentence with its own voice variant, speed and
pitch); clips are then laid end to end in a seeded random order with seeded gaps (mostly short, sometimes
long speech-free stretches). Each placed clip becomes one :class:`SpeechLine` whose start/end are the
exact first/last non-silent sample of the clip on the programme timeline.
"""

from __future__ import annotations

import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import signal
from scipy.io import wavfile

from ..errors import CommandError
from ..tools import require

ENGLISH = (
    "The harbour lights were already burning when the captain finally came ashore.",
    "You said the ferry would wait for us, but the pier is completely empty.",
    "I found the letter under the floorboards, exactly where your grandmother left it.",
    "Nobody in this town talks about the storm of nineteen eighty two.",
    "If we leave before sunrise, we can reach the lighthouse by noon.",
    "That is not a map of the coast. It is a map of the tunnels underneath it.",
    "Tell me again why you kept the key for all these years.",
    "The radio has been silent since Tuesday, and the supply boat is late.",
    "Maybe the old man was right about the tide tables after all.",
    "We have twelve hours, one boat, and absolutely no idea who we can trust.",
    "Put the kettle on. This is going to be a very long night.",
    "Every photograph in the archive has the same stranger in the background.",
    "Did you hear that? Something is moving on the upper deck.",
    "I am not leaving without my sister, and you cannot make me.",
    "The inspector wants a statement from everyone who was on the quay.",
    "Half of the village owes money to the Marlow family.",
    "Keep your voice down, the walls in this hotel are paper thin.",
    "He signed the contract on the very morning he disappeared.",
    "When the fog lifts you will see the wreck from the cliff path.",
    "Someone changed the date on the logbook, and it was not me.",
    "Those numbers are coordinates. Look, north fifty one, west four.",
    "I used to swim out to the buoy every summer when I was a child.",
    "The bell in the chapel rang at midnight, but the chapel has no bell.",
    "You owe me an explanation, and this time I want the truth.",
    "Grab the lantern and stay close. The stairs are rotten near the bottom.",
    "Our only witness is a parrot that speaks three languages.",
    "The last train leaves at eleven, so we still have time for dinner.",
    "Why would anyone steal a painting of an empty beach?",
    "Listen carefully. Count to one hundred, then open the second door.",
    "The doctor says she will wake up, but nobody knows when.",
    "I counted the crates twice. There should be forty, and there are thirty nine.",
    "This is the first quiet evening we have had in weeks.",
    "Your brother called again. He says it cannot wait until tomorrow.",
    "The engine is flooded. We will have to row the rest of the way.",
    "Look at the handwriting. The same person wrote both letters.",
    "Close the shutters. The wind is turning towards the east.",
    "You knew about the tunnels all along, did you not?",
    "Let us start from the beginning, and please, leave nothing out.",
    "The fishermen say the light on the island has never gone out.",
    "Whatever happens tonight, promise me you will look after the dog.",
)

GERMAN = (
    "Die Lichter am Hafen brannten schon, als der Kapitän endlich an Land kam.",
    "Du hast gesagt, die Fähre würde auf uns warten, aber der Steg ist leer.",
    "Ich habe den Brief unter den Dielen gefunden, genau dort, wo Oma ihn versteckt hat.",
    "Niemand in diesem Ort spricht über den Sturm von neunzehnhundertzweiundachtzig.",
    "Wenn wir vor Sonnenaufgang aufbrechen, erreichen wir den Leuchtturm bis Mittag.",
    "Das ist keine Karte der Küste. Das ist eine Karte der Tunnel darunter.",
    "Erzähl mir noch einmal, warum du den Schlüssel all die Jahre behalten hast.",
    "Das Funkgerät schweigt seit Dienstag, und das Versorgungsboot ist überfällig.",
    "Vielleicht hatte der alte Mann mit den Gezeitentabellen doch recht.",
    "Wir haben zwölf Stunden, ein Boot und keine Ahnung, wem wir trauen können.",
    "Setz Wasser auf. Das wird eine sehr lange Nacht.",
    "Auf jedem Foto im Archiv steht derselbe Fremde im Hintergrund.",
    "Hast du das gehört? Auf dem Oberdeck bewegt sich etwas.",
    "Ich gehe nicht ohne meine Schwester, und du kannst mich nicht zwingen.",
    "Der Inspektor will eine Aussage von allen, die am Kai waren.",
    "Das halbe Dorf schuldet der Familie Marlow Geld.",
    "Sprich leiser, die Wände in diesem Hotel sind dünn wie Papier.",
    "Er hat den Vertrag genau an dem Morgen unterschrieben, an dem er verschwand.",
    "Wenn sich der Nebel hebt, siehst du das Wrack vom Klippenpfad aus.",
    "Jemand hat das Datum im Logbuch geändert, und ich war es nicht.",
    "Diese Zahlen sind Koordinaten. Schau, einundfünfzig Grad Nord, vier Grad West.",
    "Als Kind bin ich jeden Sommer zur Boje hinausgeschwommen.",
    "Um Mitternacht läutete die Glocke der Kapelle, aber die Kapelle hat keine Glocke.",
    "Du schuldest mir eine Erklärung, und diesmal will ich die Wahrheit.",
    "Nimm die Laterne und bleib dicht bei mir. Unten sind die Stufen morsch.",
    "Unser einziger Zeuge ist ein Papagei, der drei Sprachen spricht.",
    "Der letzte Zug fährt um elf, wir haben also noch Zeit zum Essen.",
    "Warum sollte jemand das Bild eines leeren Strandes stehlen?",
    "Hör gut zu. Zähl bis hundert und öffne dann die zweite Tür.",
    "Die Ärztin sagt, sie wird aufwachen, aber niemand weiß wann.",
    "Ich habe die Kisten zweimal gezählt. Es sollten vierzig sein, es sind neununddreißig.",
    "Das ist der erste ruhige Abend seit Wochen.",
    "Dein Bruder hat wieder angerufen. Er sagt, es kann nicht bis morgen warten.",
    "Der Motor ist abgesoffen. Den Rest des Weges müssen wir rudern.",
    "Sieh dir die Handschrift an. Beide Briefe stammen von derselben Person.",
    "Schließ die Fensterläden. Der Wind dreht nach Osten.",
    "Du wusstest die ganze Zeit von den Tunneln, nicht wahr?",
    "Fangen wir von vorne an, und bitte, lass nichts aus.",
    "Die Fischer sagen, das Licht auf der Insel sei noch nie ausgegangen.",
    "Was auch immer heute Nacht passiert, versprich mir, dass du dich um den Hund kümmerst.",
)

VOICES = {
    "eng": ("en-us", "en-gb", "en-us+f3", "en-gb+m3", "en-us+m7", "en-gb-x-rp+f2"),
    "ger": ("de", "de+f3", "de+m3", "de+f2", "de+m7"),
}


@dataclass(frozen=True)
class SpeechSpec:
    """How one language's dialogue stem is made (hashed into the cache key)."""

    lang: str                                  # "eng" or "ger"
    speed_wpm: tuple[int, int] = (140, 175)
    pitch: tuple[int, int] = (30, 70)
    level_dbfs: float = -20.0                  # RMS of each clip
    gap_s: tuple[float, float] = (0.6, 3.0)    # usual pause between sentences
    long_gap_s: tuple[float, float] = (8.0, 15.0)
    long_gap_prob: float = 0.12                # chance of a speech-free stretch


@dataclass(frozen=True)
class SpeechLine:
    start_s: float   # programme time of the first non-silent sample
    end_s: float     # programme time just after the last non-silent sample
    text: str
    voice: str


def _sentences(lang: str) -> tuple[str, ...]:
    return ENGLISH if lang == "eng" else GERMAN


def _espeak(exe: str, idx: int, text: str, voice: str, wpm: int, pitch: int, tmp: Path, fs: int
            ) -> np.ndarray:
    wav = tmp / f"clip{idx:04d}.wav"
    proc = subprocess.run([exe, "-v", voice, "-s", str(wpm), "-p", str(pitch), "-w", str(wav), text],
                          capture_output=True, stdin=subprocess.DEVNULL)
    if proc.returncode != 0 or not wav.exists():
        raise CommandError(f"espeak-ng failed for voice {voice}: {proc.stderr.decode(errors='replace')}",
                           proc.returncode, proc.stderr.decode(errors="replace"))
    sr, x = wavfile.read(wav)
    x = x.astype(np.float64) / 32768.0
    if x.ndim > 1:
        x = x.mean(axis=1)
    g = np.gcd(fs, sr)
    y = signal.resample_poly(x, fs // g, sr // g)
    active = np.flatnonzero(np.abs(y) > 1e-3)
    if active.size == 0:
        raise CommandError(f"espeak-ng produced silence for voice {voice!r} and text {text!r}")
    return y[active[0]:active[-1] + 1]


def synthesize_speech(spec: SpeechSpec, n: int, t0: float, fs: int, seed: int
                      ) -> tuple[np.ndarray, list[SpeechLine]]:
    """Mono dialogue stem of ``n`` samples (sample 0 = programme time ``t0``) and its sentences."""
    exe = require("espeak-ng")["espeak-ng"]
    rng = np.random.default_rng([seed, 10, 0 if spec.lang == "eng" else 1])
    texts = _sentences(spec.lang)
    voices = VOICES[spec.lang]
    params = [(text, voices[int(rng.integers(len(voices)))], int(rng.integers(*spec.speed_wpm)),
               int(rng.integers(*spec.pitch))) for text in texts]
    with tempfile.TemporaryDirectory(prefix="vsg-espeak-") as d, ThreadPoolExecutor(2) as pool:
        clips = list(pool.map(lambda ip: _espeak(exe, ip[0], *ip[1], Path(d), fs), enumerate(params)))
    level = 10 ** (spec.level_dbfs / 20)
    clips = [c * (level / np.sqrt(np.mean(c * c))) for c in clips]

    stem = np.zeros(n, np.float32)
    lines: list[SpeechLine] = []
    order: list[int] = []
    pos = round(rng.uniform(0.5, 2.5) * fs)
    while True:
        if not order:
            order = [int(i) for i in rng.permutation(len(clips))]
        k = order.pop()
        clip = clips[k]
        if pos + len(clip) > n - fs // 2:
            break
        stem[pos:pos + len(clip)] += clip.astype(np.float32)
        lines.append(SpeechLine(t0 + pos / fs, t0 + (pos + len(clip)) / fs, params[k][0], params[k][1]))
        long_gap = rng.uniform() < spec.long_gap_prob
        gap = rng.uniform(*spec.long_gap_s) if long_gap else rng.uniform(*spec.gap_s)
        pos += len(clip) + round(gap * fs)
    return stem, lines
