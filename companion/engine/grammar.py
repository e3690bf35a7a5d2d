"""Hold the English words a question opens with, shared by every reader of a message.

English, not this film, so here rather than in prompts/words.toml.
"""

# A word asking after something ("who", "what's", "why"), as a regular expression's group.
ASKING = r"(?:who|whom|whose|what|whats|which|why|how|when|where)"
# A verb opening a question asked yes or no ("is it sad?", "did boone like it?").
AUXILIARY = r"(?:is|are|was|were|does|did|do|can|could|would|should|will|has|have)"
# Chat words a question may open with before it asks ("so who plays amy?", "ok wait, why did she leave?").
LEAD_IN = r"(?:so|and|ok|okay|hey|hi|um|hmm|wait|but|also|lol|omg|honestly)"
