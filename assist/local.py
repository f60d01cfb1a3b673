"""The local provider's feedback: deterministic, offline, no model — read from the text itself.

Hand-written on purpose: the readability and sentence figures are a few lines each (Flesch
reading ease with a vowel-group syllable estimate, which is what the common libraries do too),
and a library would add a dependency for a page of arithmetic. The feedback describes and asks; it
never proposes replacement text: quotes are at most QUOTE_WORDS words, to point at a place.
"""

import re
from collections import Counter

QUOTE_WORDS = 6
SENTENCE_RE = re.compile(r"[^.!?]+[.!?]*", re.S)
WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’-]*")
TRANSITIONS = {"however", "therefore", "moreover", "furthermore", "because", "although", "for example",
               "for instance", "in addition", "as a result", "consequently", "finally", "first", "second",
               "on the other hand", "in contrast", "similarly", "thus", "meanwhile", "in conclusion", "also"}
CLAIM_WORDS = {"should", "must", "need", "needs", "ought", "because", "argue", "believe", "will", "better", "worse"}
STOP = {"the", "a", "an", "and", "or", "but", "of", "to", "in", "on", "at", "for", "is", "are", "was", "were", "be",
        "it", "that", "this", "with", "as", "by", "they", "we", "i", "you", "he", "she", "their", "our", "my", "not",
        "have", "has", "had", "do", "does", "so", "if", "from", "more", "can", "would", "will", "should", "there"}

QUESTIONS = {
    "brainstorm": [
        "What is the one sentence you would say if someone asked what you think, and why?",
        "Who would disagree with you, and what is the strongest thing they would say?",
        "Which example from your own life or reading made you think this?",
        "What would have to be true for your view to be wrong?",
    ],
    "outline": [
        "Does each planned paragraph make one point that supports your main claim?",
        "Where will your reader first see your main claim?",
        "Which point is strongest, and where have you placed it?",
        "Where do you answer the other side?",
    ],
    "draft": [
        "Which paragraph are you least sure about, and what is it trying to do?",
        "Where does a reader need an example or evidence that is not there yet?",
        "If you had to cut one paragraph, which would it be and why?",
    ],
    "revision": [
        "Read your first and last paragraphs together: do they say the same thing in different words?",
        "Which sentence would you read aloud to convince someone? Why that one?",
        "Where did your thinking change since the draft?",
    ],
    "final": [
        "What would a reader who disagrees still have to admit after reading this?",
        "Is there a sentence you kept only because it took long to write?",
    ],
}


def paragraphs(text):
    return [p.strip() for p in re.split(r"\n\s*\n|\r\n\s*\r\n", text) if p.strip()]


def sentences(text):
    return [s.strip() for s in SENTENCE_RE.findall(text) if WORD_RE.search(s)]


def words(text):
    return WORD_RE.findall(text)


def quote(sentence):
    found = sentence.split()
    return "“" + " ".join(found[:QUOTE_WORDS]) + ("…”" if len(found) > QUOTE_WORDS else "”")


def syllables(word):
    groups = re.findall(r"[aeiouy]+", word.lower())
    count = len(groups) - (1 if word.lower().endswith("e") and len(groups) > 1 else 0)
    return max(count, 1)


def reading_ease(text):
    found, said = words(text), sentences(text)
    if not found or not said:
        return None
    return 206.835 - 1.015 * (len(found) / len(said)) - 84.6 * (sum(syllables(w) for w in found) / len(found))


def _has_claim(paragraph):
    return any(w.lower() in CLAIM_WORDS for w in words(paragraph))


def _transitions_in(paragraph):
    low = paragraph.lower()
    return sorted(t for t in TRANSITIONS if re.search(rf"\b{re.escape(t)}\b", low))


def feedback(category, text, stage_kind, prompt=""):
    """Lines of feedback (plain sentences and questions)."""
    return {"brainstorm": brainstorm, "outline": outline, "clarity": clarity, "grammar": grammar}[category](
        text, stage_kind, prompt)


def brainstorm(text, stage_kind, prompt):
    lines = ["Questions to think with (answer them in your own words, in your notes or in your draft):"]
    lines += [f"- {q}" for q in QUESTIONS.get(stage_kind, QUESTIONS["draft"])]
    common = _repeated(text, 3)
    if common:
        lines.append(f"- You come back to “{common[0]}” often. What exactly do you mean by it?")
    if prompt:
        lines.append("- Reread the prompt: which word in it do you think matters most, and have you answered it?")
    return lines


def outline(text, stage_kind, prompt):
    paras = paragraphs(text)
    lines = [f"Your text has {len(paras)} paragraph{'s' * (len(paras) != 1)}."]
    if not paras:
        return lines + ["Start by writing your main claim as one sentence, then list the points that support it."]
    first = sentences(paras[0])
    if first and any(_has_claim(s) for s in first):
        lines.append("Thesis check: your first paragraph contains a sentence that takes a position. "
                     "Could a reader say in their own words what you claim?")
    else:
        lines.append("Thesis check: no sentence in your first paragraph takes a clear position yet "
                     "(words like “should”, “because”, “must” usually show one). What is your claim?")
    for number, paragraph in enumerate(paras, 1):
        opening = sentences(paragraph)[:1]
        if opening:
            lines.append(f"- Paragraph {number} opens with {quote(opening[0])}: does that opening tell the reader "
                         "what the paragraph will show?")
    if len(paras) >= 3 and not _has_claim(paras[-1]):
        lines.append("Your last paragraph does not restate a position. What should the reader take away?")
    return lines


def clarity(text, stage_kind, prompt):
    paras, said, found = paragraphs(text), sentences(text), words(text)
    if not said:
        return ["There is not enough text yet for feedback on clarity. Write a paragraph, then ask again."]
    lengths = [len(words(s)) for s in said]
    average = sum(lengths) / len(lengths)
    longest = max(range(len(said)), key=lambda i: lengths[i])
    lines = [f"{len(found)} words, {len(said)} sentences, {len(paras)} paragraph{'s' * (len(paras) != 1)}; "
             f"sentences average {average:.0f} words."]
    if lengths[longest] > 30:
        lines.append(f"Sentence {longest + 1} ({quote(said[longest])}) has {lengths[longest]} words. "
                     "Can a reader follow it in one breath? Where could it split?")
    short = sum(1 for n in lengths if n < 6)
    if short >= 3 and short / len(lengths) > 0.3:
        lines.append(f"{short} sentences have fewer than 6 words. Is the choppiness on purpose?")
    para_words = [len(words(p)) for p in paras]
    if para_words and max(para_words) > 180:
        lines.append(f"Paragraph {para_words.index(max(para_words)) + 1} has {max(para_words)} words. "
                     "Does it make more than one point?")
    repeated = _repeated(text, 4)
    if repeated:
        lines.append("Repeated words: " + ", ".join(f"“{w}”" for w in repeated[:4])
                     + ". Is each use needed, or is there a more exact word?")
    ease = reading_ease(text)
    if ease is not None:
        band = "easy" if ease >= 70 else "standard" if ease >= 50 else "difficult"
        lines.append(f"Readability (Flesch reading ease): {ease:.0f}, {band} to read.")
    linked = sum(1 for p in paras[1:] if _transitions_in(p))
    if len(paras) > 1:
        lines.append(f"{linked} of {len(paras) - 1} later paragraphs use a linking word (however, for example, "
                     "as a result…). How does each paragraph connect to the one before?")
    return lines


def grammar(text, stage_kind, prompt):
    lines = []
    for number, sentence in enumerate(sentences(text), 1):
        if sentence[:1].islower():
            lines.append(f"Sentence {number} ({quote(sentence)}) starts with a lower-case letter.")
        if re.search(r"\b(\w+) \1\b", sentence, re.I):
            lines.append(f"Sentence {number} ({quote(sentence)}) has a word twice in a row.")
        if re.search(r"\bi\b", sentence):
            lines.append(f"Sentence {number} uses “i” where the pronoun is written “I”.")
        if len(words(sentence)) > 40 and sentence.count(",") < 2:
            lines.append(f"Sentence {number} is long with little punctuation: check where one idea ends.")
        if re.search(r"\b(its|it's)\b", sentence, re.I):
            lines.append(f"Sentence {number} uses its/it's: “it's” means “it is”; “its” shows belonging.")
    if text.strip() and text.strip()[-1] not in ".!?\"”'":
        lines.append("The text does not end with punctuation.")
    if "  " in text:
        lines.append("There are double spaces between some words.")
    return lines[:12] or ["No common slips found (this check is simple: it looks for a few patterns only)."]


def _repeated(text, minimum):
    counts = Counter(w.lower() for w in words(text) if w.lower() not in STOP and len(w) > 3)
    return [w for w, n in counts.most_common(6) if n >= minimum]
