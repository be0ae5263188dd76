"""Why a server must never unpickle bytes from a stranger, shown safely.

pickle.loads runs whatever callable a pickle names: an object's __reduce__
says "to rebuild me, call this with these arguments", and the unpickler
obeys. Nothing here runs anything harmful: Harmless names print(), and
the pickle that names os.system is only disassembled, or refused by
allow_list_loads, which checks every name before anything is called.

    python examples/rpc/pickle_danger.py    # disassembles a dangerous pickle
"""

import io
import os
import pickle
import pickletools


# [start:reduce]
class Harmless:
    """Unpickling this calls print(): proof that loads() runs code."""

    def __reduce__(self):
        return (print, ("this ran inside pickle.loads",))


class Dangerous:
    """Unpickling this would call os.system: we only look at it."""

    def __reduce__(self):
        return (os.system, ("echo you have been owned",))
# [end:reduce]


# [start:allow_list]
class AllowListUnpickler(pickle.Unpickler):
    """Refuses every global except a few plain, harmless classes."""

    ALLOWED = {("builtins", "complex"), ("builtins", "set"),
               ("builtins", "frozenset")}

    def find_class(self, module: str, name: str):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(
                f"forbidden: {module}.{name}")
        return super().find_class(module, name)


def allow_list_loads(data: bytes):
    return AllowListUnpickler(io.BytesIO(data)).load()
# [end:allow_list]


def main() -> None:
    pickletools.dis(pickle.dumps(Dangerous(), protocol=4))


if __name__ == "__main__":
    main()
