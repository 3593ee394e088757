import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.cross_script import loose_key, loose_phrase
from components.cross_script_featurizer import CrossScriptFeaturizer
from components.indic_tokenizer import IndicTokenizer


@pytest.mark.parametrize(
    "variants",
    [
        ["praman", "pramaan", "प्रमाण"],
        ["patra", "patr", "पत्र"],
        ["chahiye", "chaiye", "chahie", "चाहिए"],
        ["kaise", "kese", "kaisay", "कैसे"],
        ["mujhe", "muje", "मुझे"],
        ["niwas", "nivas", "निवास"],
        ["shaadi", "shadi", "शादी"],
        ["hindi", "हिंदी", "हिन्दी"],
        ["jaati", "jati", "जाति"],
        ["vivah", "vivaah", "विवाह"],
    ],
)
def test_spellings_share_one_key(variants: list) -> None:
    assert len({loose_key(v) for v in variants}) == 1, {
        v: loose_key(v) for v in variants
    }


def test_different_words_keep_different_keys() -> None:
    assert loose_key("janam") != loose_key("mrityu")
    assert loose_key("राशन") != loose_key("पेंशन")


def test_phrase() -> None:
    assert loose_phrase(["praman", "patra"]) == loose_phrase(["प्रमाण", "पत्र"])
    assert loose_phrase(["!!", "patra"]) == loose_key("patra")


def tokenised(text: str) -> Message:
    message = Message(data={"text": text, "intent": "apply_service"})
    IndicTokenizer(IndicTokenizer.get_default_config()).process([message])
    return message


def trained(
    model_storage: ModelStorage, resource: Resource, context: ExecutionContext
) -> CrossScriptFeaturizer:
    featurizer = CrossScriptFeaturizer.create(
        CrossScriptFeaturizer.get_default_config(), model_storage, resource, context
    )
    featurizer.train(TrainingData([tokenised("janam praman patra chahiye")]))
    return featurizer


def test_devanagari_and_roman_get_the_same_features(
    model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
) -> None:
    featurizer = trained(model_storage, resource, execution_context)
    roman, devanagari, other = (
        tokenised("pramaan patr"),
        tokenised("प्रमाण पत्र"),
        tokenised("ration card"),
    )
    featurizer.process([roman, devanagari, other])
    seq_r, sent_r = roman.get_sparse_features("text")
    seq_d, sent_d = devanagari.get_sparse_features("text")
    assert seq_r.features.shape[0] == 2  # one row per token
    assert np.array_equal(sent_r.features.toarray(), sent_d.features.toarray())
    assert sent_r.features.sum() > 0
    _, sent_o = other.get_sparse_features("text")

    def cosine(a: np.ndarray, b: np.ndarray) -> float:
        return float(a @ b.T / (np.linalg.norm(a) * np.linalg.norm(b)))

    vector_r, vector_o = sent_r.features.toarray(), sent_o.features.toarray()
    assert cosine(vector_r, sent_d.features.toarray()) == pytest.approx(1.0)
    assert cosine(vector_r, vector_o) < 0.3


def test_vocabulary_survives_persist_and_load(
    model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
) -> None:
    featurizer = trained(model_storage, resource, execution_context)
    loaded = CrossScriptFeaturizer.load(
        CrossScriptFeaturizer.get_default_config(),
        model_storage,
        resource,
        execution_context,
    )
    assert loaded.vocabulary == featurizer.vocabulary
    assert "<pr" in loaded.vocabulary


def test_invalid_ngram_range_is_rejected() -> None:
    with pytest.raises(ValueError):
        CrossScriptFeaturizer.validate_config({"min_ngram": 3, "max_ngram": 2})
