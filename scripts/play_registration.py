"""Play users against a running shm-bot through a Bot API stand-in, with nothing but the stdlib.

    python -m botapi_standin --port 8081 &
    TELEGRAM_BOT_TOKEN=123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0 \
        TELEGRAM_API_BASE_URL=http://127.0.0.1:8081/bot python -m bot &
    python scripts/play_registration.py --standin http://127.0.0.1:8081

It registers someone for the single Pemustaka seat of a meeting while a watcher sees the seats
count down, fills the role, puts a second person on the waiting list, cancels the first
registration and checks that the person waiting is seated and told. Exit status 0 means all held.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from typing import Any


class Player:
    """One Telegram user, played through the stand-in's control API."""

    def __init__(self, standin: str, user_id: int, name: str) -> None:
        self.standin, self.user_id, self.name = standin.rstrip("/"), user_id, name
        self.seen = 0

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.standin}/_standin/{path}", data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.load(response)
        if not answer.get("ok"):
            raise RuntimeError(answer.get("description"))
        return answer["result"]

    def say(self, text: str) -> None:
        self._call("POST", f"users/{self.user_id}/text", {"text": text, "first_name": self.name})

    def press(self, message: dict[str, Any], button: str) -> None:
        self._call("POST", f"users/{self.user_id}/press", {"message_id": message["message_id"], "text": button})

    def share_phone(self, phone: str) -> None:
        self._call("POST", f"users/{self.user_id}/contact", {"phone_number": phone})

    def next(self, containing: str) -> dict[str, Any]:
        """The first new bot message containing the words; earlier new ones are passed over."""
        for _ in range(20):
            for message in self._call("GET", f"chats/{self.user_id}/messages?after={self.seen}&timeout=5"):
                self.seen = message["message_id"]
                if containing in message["plain_text"]:
                    return message
        raise AssertionError(f"{self.name}: no message containing {containing!r}")

    @staticmethod
    def buttons(message: dict[str, Any]) -> list[str]:
        rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        return [button["text"] for row in rows for button in row]


def role_button(player: Player, meeting: str, role: str) -> str:
    """Open the meeting's role list as the player and read the role's button; then leave."""
    player.say(f"/start {meeting}")
    roles = player.next("")
    if "Setuju" in " ".join(Player.buttons(roles)):  # consent is asked only the first time
        player.press(roles, "Setuju")
        roles = player.next("Pilih peran")
    label = next(b for b in Player.buttons(roles) if b.startswith(role))
    player.say("/cancel")
    player.next("dihentikan")
    return label


def register(player: Player, meeting: str, role: str, phone: str) -> dict[str, Any]:
    """A whole registration; returns the bot's final message."""
    player.say(f"/start {meeting}")
    player.press(player.next("Apakah Anda setuju"), "Setuju")
    player.press(player.next("Pilih peran"), role)
    player.say(f"{player.name} Wijaya")
    player.next("instansi")
    player.say("Dinas Perpustakaan & Arsip")
    player.next("jabatan")
    player.say("Pustakawan")
    player.next("nomor HP")
    player.share_phone(phone)
    player.press(player.next("Periksa data"), "Kirim")
    return player.next("Waktu")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--standin", default="http://127.0.0.1:8081")
    parser.add_argument("--meeting", default="shm23-aceh")
    parser.add_argument("--first-user-id", type=int, default=900_001)
    args = parser.parse_args()
    role = "Pemustaka"
    watcher, first, second = (
        Player(args.standin, args.first_user_id + n, name) for n, name in enumerate(("Watcher", "Ayu", "Bima"))
    )

    before = role_button(watcher, args.meeting, role)
    print(f"seats before: {before}")
    assert "sisa 1/1" in before, before
    seated = register(first, args.meeting, role, "081234560001")
    print(f"{first.name}: {seated['plain_text'].splitlines()[0]}")
    assert "berhasil" in seated["plain_text"]
    after = role_button(watcher, args.meeting, role)
    print(f"seats after: {after}")
    assert "penuh" in after, after
    waiting = register(second, args.meeting, role, "081234560002")
    print(f"{second.name}: {waiting['plain_text'].splitlines()[0]}")
    assert "daftar tunggu" in waiting["plain_text"] and "nomor 1" in waiting["plain_text"]
    first.say("/batal")
    first.press(first.next("Batalkan pendaftaran"), "Ya, batalkan")
    print(f"{first.name}: {first.next('dibatalkan')['plain_text']}")
    promoted = second.next("Kabar baik")
    print(f"{second.name}: {promoted['plain_text'].splitlines()[0]}")
    second.say("/status")
    assert "kursi terkonfirmasi" in second.next("Pendaftaran Anda")["plain_text"]
    print("all held")
    return 0


if __name__ == "__main__":
    sys.exit(main())
