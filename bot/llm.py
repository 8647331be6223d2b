"""Chat models behind LangChain's `BaseChatModel`: the packaged SmolLM2, or any OpenAI-compatible server.

    chat = LocalChatModel.load(Path("var/models/smollm2-135m-instruct"))
    chat.invoke([HumanMessage("hi")]).content

Text sent to a remote server is redacted first (see bot.redact). The remote model
supports tool calling (`bind_tools`), used by `bot.agent.ToolAgent`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from threading import Thread
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from bot.remote_llm import to_openai_messages

log = logging.getLogger(__name__)

# a sample prompt, shaped like the bot's grounded ones, that the int8 prefill calibrates on
CALIBRATION = (
    "You are a shop's customer-service assistant. Answer the question in one or two short "
    "sentences using ONLY the numbered passages, and cite the passage you used like [1].",
    "Passages:\n[1] Returns are free within 30 days of delivery; refunds reach your card in 5 "
    "working days. Items must be unworn, with tags.\n[2] Standard delivery costs £3.95 and "
    "is free on orders over £50. Next-day delivery is £6.95 if ordered by 2pm.\n[3] The "
    "Ridge 2 tent weighs 2.1 kg, is waterproof to 3000 mm and has a 5-year warranty.\n\n"
    "Question: how much does delivery cost, and can I send the tent back?",
)


def _stop_index(text: str, stop: Sequence[str]) -> int:
    """Where the first stop string starts in `text` (-1: none); a stop string before any
    text (a reply opening with a line break) is skipped."""
    lead = len(text) - len(text.lstrip())
    found = (text.find(s, lead) for s in stop)
    return min((i for i in found if i >= 0), default=-1)


class LocalChatModel(BaseChatModel):
    """A local Hugging Face causal LM (SmolLM2-135M-Instruct by default), greedy decoding."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    model_path: str
    max_new_tokens: int = 160
    _model: Any = PrivateAttr(default=None)
    _tokenizer: Any = PrivateAttr(default=None)
    _lean: Any = PrivateAttr(default=None)

    @classmethod
    def load(
        cls,
        path: Path,
        max_new_tokens: int = 160,
        adapter: Path | None = None,
        quantize: str = "none",
        decoder: str = "lean",
        lookahead: int = 3,
        prompt_threads: int = 0,
    ) -> LocalChatModel:
        """Load the model; `adapter` is a LoRA folder (finetune/generator.py) merged into it.

        `quantize` (bot.kernels.QUANTIZE): "auto" and "int8" read int8 weights when decoding
        (a quarter of the bytes per token) with the prompt's kernel chosen for this CPU,
        "int8-bf16"/"int8-fp32"/"int8-int8" force that prompt kernel (int8: calibrated on
        CALIBRATION at load), "none" keeps fp32; the transformers
        decoder quantizes every int8 choice dynamically instead. decoder="lean" decodes with
        bot.fastlm.LeanDecoder where the architecture allows (Llama family, SmolLM2
        included), "transformers" always with `generate`; `lookahead` tokens are guessed per
        pass by prompt lookup (lean decoder; 0: off); `prompt_threads` threads prefill a
        prompt (lean decoder; 0: as many cores as are idle then, bot.kernels.prompt_threads)."""
        from bot.kernels import QUANTIZE

        if quantize not in QUANTIZE:
            raise ValueError(f"quantize must be one of {', '.join(QUANTIZE)}, got {quantize!r}")
        if decoder not in ("lean", "transformers"):
            raise ValueError(f"decoder must be 'lean' or 'transformers', got {decoder!r}")
        from transformers import AutoModelForCausalLM, AutoTokenizer

        m = cls(model_path=str(path), max_new_tokens=max_new_tokens)
        m._tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        m._model = AutoModelForCausalLM.from_pretrained(str(path), local_files_only=True)
        if adapter is not None:
            from peft import PeftModel

            if not (Path(adapter) / "adapter_config.json").exists():
                raise ValueError(
                    f"{adapter} is not a LoRA adapter folder (no adapter_config.json): "
                    "train one with `shopmate finetune generator`"
                )
            m._model = PeftModel.from_pretrained(m._model, str(adapter)).merge_and_unload()
        m._model.eval()
        from bot.fastlm import LeanDecoder

        if decoder == "lean" and LeanDecoder.supports(m._model):
            from bot.kernels import resolve

            mlp = m._model.model.layers[0].mlp.up_proj.weight  # a matrix to probe kernels on
            choice = resolve(quantize, mlp)
            calibration: list[int] = []
            if choice.prefill == "int8":  # a sample prompt finds the activations' outliers
                sample = [
                    {"role": r, "content": c}
                    for r, c in zip(("system", "user"), CALIBRATION, strict=True)
                ]
                enc = m._tokenizer.apply_chat_template(
                    sample, add_generation_prompt=True, return_dict=True
                )
                calibration = list(enc["input_ids"])
            m._lean = LeanDecoder(
                m._model,
                quantize=choice.quantize,
                prefill=choice.prefill,
                lookahead=lookahead,
                calibration=calibration,
                prompt_threads=prompt_threads,
            )
            m._model = None  # the lean decoder holds the weights it needs
        elif quantize != "none":
            import torch

            m._model = torch.ao.quantization.quantize_dynamic(
                m._model, {torch.nn.Linear}, dtype=torch.qint8
            )
        return m

    def count_tokens(self, text: str) -> int:
        """Tokens of `text` in this model's vocabulary (for tokens/s figures)."""
        return len(self._tokenizer(text, add_special_tokens=False)["input_ids"])

    @property
    def _llm_type(self) -> str:
        return "shopmate-local"

    def _inputs(self, messages: list[BaseMessage]) -> Any:
        enc = self._tokenizer.apply_chat_template(
            to_openai_messages(messages),
            add_generation_prompt=True,
            return_tensors="pt",
            return_dict=True,
        )
        return enc

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(str(c.text) for c in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        if self._lean is not None:
            yield from self._stream_lean(messages, stop, run_manager, **kwargs)
            return
        import torch
        from transformers import TextIteratorStreamer

        enc = self._inputs(messages)
        streamer = TextIteratorStreamer(self._tokenizer, skip_prompt=True, skip_special_tokens=True)
        gen_kwargs = dict(
            **enc,
            max_new_tokens=kwargs.get("max_new_tokens", self.max_new_tokens),
            do_sample=False,
            streamer=streamer,
            pad_token_id=self._tokenizer.eos_token_id,
        )
        if stop:  # e.g. ["\n"]: stop generating there instead of running to max_new_tokens
            gen_kwargs.update(stop_strings=list(stop), tokenizer=self._tokenizer)

        def run() -> None:
            with torch.inference_mode():
                self._model.generate(**gen_kwargs)

        t = Thread(target=run, daemon=True)
        t.start()
        for piece in streamer:
            if piece:
                if run_manager:
                    run_manager.on_llm_new_token(piece)
                yield ChatGenerationChunk(message=AIMessageChunk(content=piece))
        t.join()

    def sample(
        self,
        messages: list[BaseMessage],
        n: int,
        stop: list[str] | None = None,
        temperature: float = 0.7,
        top_p: float = 0.9,
        seed: int = 0,
    ) -> list[str]:
        """`n` sampled replies to `messages` (temperature, then nucleus top_p), each cut at
        the first stop string; decoded as one batch. The same seed gives the same replies."""
        cuts = [s for s in stop or () if s]

        def cut(text: str) -> str:
            at = _stop_index(text, cuts)
            return text if at < 0 else text[:at]

        enc = self._inputs(messages)
        eos = {self._tokenizer.eos_token_id, *self._tokenizer.all_special_ids}
        eos.discard(None)
        if self._lean is not None:
            decode = self._tokenizer.decode
            outs = self._lean.sample(
                enc["input_ids"][0].tolist(),
                n,
                self.max_new_tokens,
                sorted(eos),
                temperature,
                top_p,
                seed,
                finished=(lambda t: _stop_index(decode(t, skip_special_tokens=True), cuts) >= 0)
                if cuts
                else None,
            )
            texts = [self._tokenizer.decode(o, skip_special_tokens=True) for o in outs]
        else:
            import torch

            torch.manual_seed(seed)
            with torch.inference_mode():
                out = self._model.generate(
                    **enc,
                    do_sample=True,
                    temperature=temperature,
                    top_p=top_p,
                    num_return_sequences=n,
                    max_new_tokens=self.max_new_tokens,
                    pad_token_id=self._tokenizer.eos_token_id,
                )
            start = enc["input_ids"].shape[1]
            texts = [self._tokenizer.decode(o[start:], skip_special_tokens=True) for o in out]
        return [cut(t) for t in texts]

    @property
    def weight_bytes(self) -> int | None:
        """Bytes of weights read per decoded token (lean decoder only; for benchmarks)."""
        return None if self._lean is None else int(self._lean.weight_bytes)

    def _stream_lean(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None,
        run_manager: CallbackManagerForLLMRun | None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        """Stream text from the lean decoder; a stop string ends the reply (not included)."""
        ids = self._inputs(messages)["input_ids"][0].tolist()
        eos = {self._tokenizer.eos_token_id, *self._tokenizer.all_special_ids}
        eos.discard(None)
        tokens = self._lean.generate(
            ids, int(kwargs.get("max_new_tokens", self.max_new_tokens)), sorted(eos)
        )
        out: list[int] = []
        sent = ""
        try:
            for token in tokens:
                out.append(token)
                text = self._tokenizer.decode(out, skip_special_tokens=True)
                if text.endswith("\ufffd"):  # half of a multi-byte character: wait
                    continue
                cut = _stop_index(text, stop or ())
                piece = text[len(sent) : cut if cut >= 0 else None]
                if piece:
                    sent += piece
                    if run_manager:
                        run_manager.on_llm_new_token(piece)
                    yield ChatGenerationChunk(message=AIMessageChunk(content=piece))
                if cut >= 0:
                    break
        finally:
            tokens.close()


def sample_replies(
    model: BaseChatModel,
    messages: list[BaseMessage],
    n: int,
    stop: list[str] | None = None,
    temperature: float = 0.7,
    top_p: float = 0.9,
    seed: int = 0,
) -> list[str]:
    """`n` sampled replies from any chat model: the local model decodes them as one batch;
    another model (an OpenAI-compatible server) is asked `n` times with seeds seed, seed+1, ..."""
    if n <= 0:
        return []
    if isinstance(model, LocalChatModel):
        return model.sample(messages, n, stop, temperature, top_p, seed)
    return [
        str(
            model.invoke(
                messages, stop=stop, temperature=temperature, top_p=top_p, seed=seed + i
            ).content
        )
        for i in range(n)
    ]
