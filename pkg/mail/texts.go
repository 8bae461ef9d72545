package mail

import (
	"fmt"
	"time"
)

// How long the link of each mail works. The texts state it, and the worker
// issues tokens that expire after it, so the two cannot disagree.
const (
	InvitationValidity    = 7 * 24 * time.Hour
	PasswordResetValidity = time.Hour
)

// Invitation asks a new member of orgName to choose a password at link.
// locale is "fr" or anything else for English.
func Invitation(to, locale, orgName, link string) Message {
	valid := validity(locale, InvitationValidity)
	if locale == "fr" {
		return Message{To: to,
			Subject: fmt.Sprintf("Invitation à rejoindre %s sur Plateau", orgName),
			Text: fmt.Sprintf(`Bonjour,

Vous êtes invité(e) à rejoindre %s sur Plateau. Pour accepter, choisissez votre mot de passe en ouvrant ce lien :

%s

Ce lien est valable %s et ne sert qu'une fois. Si vous n'attendiez pas cette invitation, ignorez ce message.

— Plateau
`, orgName, link, valid)}
	}
	return Message{To: to,
		Subject: fmt.Sprintf("You are invited to join %s on Plateau", orgName),
		Text: fmt.Sprintf(`Hello,

You have been invited to join %s on Plateau. To accept, choose your password by opening this link:

%s

This link is valid for %s and works only once. If you were not expecting this invitation, ignore this message.

— Plateau
`, orgName, link, valid)}
}

// Join asks a person who has an account to accept joining orgName, at
// link, with their password. locale is "fr" or anything else for English.
func Join(to, locale, orgName, link string) Message {
	valid := validity(locale, InvitationValidity)
	if locale == "fr" {
		return Message{To: to,
			Subject: fmt.Sprintf("Invitation à rejoindre %s sur Plateau", orgName),
			Text: fmt.Sprintf(`Bonjour,

%s vous invite à la rejoindre sur Plateau, en plus des organisations où vous travaillez déjà. Pour accepter, ouvrez ce lien et confirmez avec votre mot de passe habituel :

%s

Ce lien est valable %s et ne sert qu'une fois. Si vous n'attendiez pas cette invitation, ignorez ce message : rien ne change pour votre compte.

— Plateau
`, orgName, link, valid)}
	}
	return Message{To: to,
		Subject: fmt.Sprintf("You are invited to join %s on Plateau", orgName),
		Text: fmt.Sprintf(`Hello,

%s invites you to join it on Plateau, besides the organizations you already work in. To accept, open this link and confirm with the password you sign in with:

%s

This link is valid for %s and works only once. If you were not expecting this invitation, ignore this message: nothing changes for your account.

— Plateau
`, orgName, link, valid)}
}

// PasswordReset lets a person choose a new password at link. locale is
// "fr" or anything else for English.
func PasswordReset(to, locale, link string) Message {
	valid := validity(locale, PasswordResetValidity)
	if locale == "fr" {
		return Message{To: to,
			Subject: "Réinitialisation de votre mot de passe Plateau",
			Text: fmt.Sprintf(`Bonjour,

Quelqu'un a demandé à réinitialiser le mot de passe de votre compte Plateau. Pour en choisir un nouveau, ouvrez ce lien :

%s

Ce lien est valable %s et ne sert qu'une fois. Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe ne change pas.

— Plateau
`, link, valid)}
	}
	return Message{To: to,
		Subject: "Reset your Plateau password",
		Text: fmt.Sprintf(`Hello,

Someone asked to reset the password of your Plateau account. To choose a new one, open this link:

%s

This link is valid for %s and works only once. If you did not ask for it, ignore this message: your password does not change.

— Plateau
`, link, valid)}
}

// validity says d in words: whole days when it is a number of days, else
// hours.
func validity(locale string, d time.Duration) string {
	n, fr, en := int(d/time.Hour), "heure", "hour"
	if d%(24*time.Hour) == 0 {
		n, fr, en = int(d/(24*time.Hour)), "jour", "day"
	}
	unit := en
	if locale == "fr" {
		unit = fr
	}
	if n > 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s", n, unit)
}
