package demo

import (
	"context"

	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/pkg/script"
	"github.com/plateau-bpo/plateau/pkg/store"
)

// The demo's call scripts (argumentaires), in French, saved as the scripts
// of Maison Lumière's two campaigns.

func scriptSay(title, text, next string) script.Node {
	return script.Node{Kind: script.KindSay, Title: title, Text: text, Next: next}
}

func scriptAsk(title, text string, a []script.Answer) script.Node {
	return script.Node{Kind: script.KindAsk, Title: title, Text: text, Answers: a}
}

func scriptObjection(title, text string, a []script.Answer) script.Node {
	return script.Node{Kind: script.KindObjection, Title: title, Text: text, Answers: a}
}

func scriptOutcome(d script.Disposition, text string) script.Node {
	return script.Node{Kind: script.KindOutcome, Text: text, Disposition: d}
}

// cartsScript is the script of "Relance paniers abandonnés": customer care
// calling back, with their consent, people who left a cart on the site.
func cartsScript() script.Script {
	return script.Script{Start: "identite", Nodes: map[string]script.Node{
		"identite": scriptAsk("Accueil",
			"Bonjour, {{agent.first_name}} du service client de {{client.name}}. Suis-je bien avec {{lead.first_name}} {{lead.last_name}} ?",
			[]script.Answer{
				{Label: "Oui, c'est moi", Next: "consentement"},
				{Label: "Absent·e, rappeler plus tard", Next: "fin_rappel"},
				{Label: "Faux numéro", Next: "fin_faux_numero"},
			}),
		"consentement": scriptSay("Rappel du consentement",
			"Vous avez accepté d'être recontacté·e lors de votre visite sur notre site. Cet appel peut être enregistré pour la qualité du service, et vous pouvez vous opposer à tout nouvel appel à tout moment.",
			"panier"),
		"panier": scriptAsk("Le panier",
			"Je vous appelle au sujet des articles restés dans votre panier. Avez-vous rencontré une difficulté au moment de finaliser votre commande ?",
			[]script.Answer{
				{Label: "Problème de paiement", Next: "aide_paiement"},
				{Label: "Frais de livraison", Next: "livraison"},
				{Label: "J'hésitais encore", Next: "interet"},
				{Label: "Plus intéressé·e", Next: "fin_refus"},
			}),
		"aide_paiement": scriptSay("Aide au paiement",
			"Je comprends, cela arrive. Je peux vous envoyer par SMS un lien de paiement sécurisé : votre panier y est déjà, il ne reste qu'à valider.",
			"interet"),
		"livraison": scriptSay("Livraison",
			"Bonne nouvelle : jusqu'à la fin de la semaine, la livraison est offerte à {{lead.city}} pour toute commande de votre panier.",
			"interet"),
		"interet": scriptAsk("Intérêt",
			"Souhaitez-vous finaliser votre commande aujourd'hui ?",
			[]script.Answer{
				{Label: "Oui, je commande", Next: "confirmation"},
				{Label: "Besoin d'y réfléchir", Next: "proposer_rappel"},
				{Label: "Non merci", Next: "fin_refus"},
				{Label: "Ne plus m'appeler", Next: "fin_opposition"},
			}),
		"confirmation": scriptSay("Confirmation",
			"Parfait ! Je vous envoie à l'instant le lien de paiement sécurisé de {{client.name}} par SMS. Vous recevrez la confirmation de commande par e-mail.",
			"fin_vente"),
		"proposer_rappel": scriptAsk("Proposer un rappel",
			"Bien sûr. Quand puis-je vous rappeler pour en reparler ?",
			[]script.Answer{
				{Label: "Un autre jour", Next: "fin_rappel"},
				{Label: "Pas de rappel", Next: "fin_refus"},
			}),
		"obj_pas_le_temps": scriptObjection("Pas le temps",
			"Je comprends, je serai bref : une minute suffit pour valider votre panier. Sinon, je vous rappelle au moment qui vous arrange.",
			[]script.Answer{
				{Label: "D'accord, continuons", Next: "interet"},
				{Label: "Rappeler plus tard", Next: "fin_rappel"},
			}),
		"obj_deja_achete": scriptObjection("Déjà acheté ailleurs",
			"Très bien, merci de me le dire. Puis-je vous demander ce qui vous a fait choisir ailleurs ? Votre panier reste disponible si vous changez d'avis.",
			[]script.Answer{
				{Label: "Achat confirmé ailleurs", Next: "fin_refus"},
				{Label: "Finalement intéressé·e", Next: "interet"},
			}),
		"obj_trop_cher": scriptObjection("Trop cher",
			"Je comprends. Pour vous, {{client.name}} peut appliquer 10 % de remise sur votre panier, valable 48 heures, en plus de la livraison offerte.",
			[]script.Answer{
				{Label: "J'accepte l'offre", Next: "confirmation"},
				{Label: "Toujours trop cher", Next: "fin_refus"},
			}),
		"obj_mail": scriptObjection("Envoyez-moi un e-mail",
			"Bien sûr, je vous envoie le récapitulatif de votre panier par e-mail. Puis-je vous rappeler demain pour en parler ?",
			[]script.Answer{
				{Label: "Oui", Next: "fin_rappel"},
				{Label: "Non", Next: "fin_refus"},
			}),
		"obj_barrage": scriptObjection("Barrage : « Qui est à l'appareil ? »",
			"{{agent.first_name}}, du service client de {{client.name}}, au sujet d'une commande passée sur notre site. Pourriez-vous me passer {{lead.first_name}} {{lead.last_name}}, s'il vous plaît ?",
			[]script.Answer{
				{Label: "On me passe la personne", Next: "identite"},
				{Label: "Absent·e, rappeler", Next: "fin_rappel"},
				{Label: "Refuse de transmettre", Next: "fin_injoignable"},
			}),
		"fin_vente":       scriptOutcome(script.Sale, "Merci {{lead.first_name}}, et excellente journée !"),
		"fin_rappel":      scriptOutcome(script.Callback, "Je note le rappel. Merci et bonne journée."),
		"fin_refus":       scriptOutcome(script.Refused, "Je comprends, merci pour votre temps. Bonne journée."),
		"fin_opposition":  scriptOutcome(script.DoNotCall, "C'est noté : {{client.name}} ne vous appellera plus. Bonne journée."),
		"fin_faux_numero": scriptOutcome(script.WrongNumber, "Veuillez m'excuser pour le dérangement. Bonne journée."),
		"fin_injoignable": scriptOutcome(script.NotReachable, "Merci, bonne journée."),
	}}
}

// meetingsScript is the script of "Rendez-vous architectes et décorateurs":
// B2B appointment setting with the design firms' decision makers.
func meetingsScript() script.Script {
	return script.Script{Start: "accueil", Nodes: map[string]script.Node{
		"accueil": scriptAsk("Accueil",
			"Bonjour, {{agent.first_name}} de {{client.name}}. Je souhaite parler à {{lead.first_name}} {{lead.last_name}}, de {{lead.company}} : est-ce bien vous ?",
			[]script.Answer{
				{Label: "Oui", Next: "presentation"},
				{Label: "Absent·e, rappeler", Next: "fin_rappel"},
				{Label: "Faux numéro", Next: "fin_faux_numero"},
			}),
		"presentation": scriptSay("Présentation",
			"{{client.name}} conçoit à Lyon des luminaires sur mesure pour les architectes et décorateurs. Nous présentons notre nouvelle collection dans votre région.",
			"qualification"),
		"qualification": scriptAsk("Qualification",
			"Travaillez-vous en ce moment sur des projets d'aménagement où l'éclairage est à choisir ?",
			[]script.Answer{
				{Label: "Oui, des projets en cours", Next: "rendez_vous"},
				{Label: "Pas pour l'instant", Next: "fin_rappel"},
				{Label: "Non, pas concerné·e", Next: "fin_refus"},
			}),
		"rendez_vous": scriptAsk("Rendez-vous",
			"Notre conseiller peut venir vous présenter la collection dans vos locaux, en trente minutes. Quel créneau vous conviendrait la semaine prochaine ?",
			[]script.Answer{
				{Label: "Rendez-vous fixé", Next: "fin_rdv"},
				{Label: "Rappeler pour fixer la date", Next: "fin_rappel"},
				{Label: "Pas intéressé·e", Next: "fin_refus"},
			}),
		"obj_barrage": scriptObjection("Barrage : « Qui est à l'appareil ? »",
			"{{agent.first_name}}, de {{client.name}}, fabricant de luminaires à Lyon. Pourriez-vous me passer {{lead.first_name}} {{lead.last_name}} ? C'est au sujet de ses projets d'éclairage.",
			[]script.Answer{
				{Label: "On me passe la personne", Next: "accueil"},
				{Label: "Absent·e, rappeler", Next: "fin_rappel"},
				{Label: "Refuse de transmettre", Next: "fin_injoignable"},
			}),
		"obj_documentation": scriptObjection("Envoyez-moi une documentation",
			"Avec plaisir, je vous envoie notre catalogue par e-mail. Puis-je vous rappeler dans quelques jours pour en parler ?",
			[]script.Answer{
				{Label: "Oui", Next: "fin_rappel"},
				{Label: "Non", Next: "fin_refus"},
			}),
		"fin_rdv":         scriptOutcome(script.Appointment, "C'est noté, vous recevrez la confirmation par e-mail. Merci et bonne journée !"),
		"fin_rappel":      scriptOutcome(script.Callback, "Je vous rappelle comme convenu. Bonne journée."),
		"fin_refus":       scriptOutcome(script.Refused, "Merci pour votre temps, bonne journée."),
		"fin_faux_numero": scriptOutcome(script.WrongNumber, "Veuillez m'excuser pour le dérangement."),
		"fin_injoignable": scriptOutcome(script.NotReachable, "Merci, bonne journée."),
	}}
}

// seedScripts saves the demo scripts as the campaigns' scripts.
func seedScripts(ctx context.Context, scripts *store.Scripts, carts, meetings uuid.UUID) error {
	if _, err := scripts.Save(ctx, carts, cartsScript()); err != nil {
		return err
	}
	_, err := scripts.Save(ctx, meetings, meetingsScript())
	return err
}
