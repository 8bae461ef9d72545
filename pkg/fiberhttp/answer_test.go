package fiberhttp_test

import (
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/plateau-bpo/plateau/cmd/plateau/platform/platformtest"
	"github.com/plateau-bpo/plateau/pkg/tenancy"
)

type price int64

func (p price) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]int64{"cents": int64(p)})
}

type answerSample struct {
	ID       uuid.UUID         `json:"id"`
	Text     string            `json:"text"`
	Custom   map[string]string `json:"custom"`
	Empty    map[string]string `json:"empty"`
	List     []string          `json:"list"`
	None     []string          `json:"none"`
	At       time.Time         `json:"at"`
	When     *time.Time        `json:"when"`
	Omitted  string            `json:"omitted,omitempty"`
	Quoted   int               `json:"quoted,string"`
	Ratio    float64           `json:"ratio"`
	Big      float64           `json:"big"`
	Bytes    []byte            `json:"bytes"`
	Raw      json.RawMessage   `json:"raw"`
	Price    price             `json:"price"`
	Any      any               `json:"any"`
	Untagged bool
	hidden   string
}

// TestAnswersAreWhatEncodingJSONWrites: the server encodes its answers with
// a faster encoder than encoding/json; they are the same bytes.
func TestAnswersAreWhatEncodingJSONWrites(t *testing.T) {
	e := platformtest.New(t)
	at := time.Date(2026, 3, 29, 1, 30, 0, 123456789, time.FixedZone("CEST", 7200))
	sample := answerSample{ID: uuid.MustParse("01a2468d-0e5a-77f3-86ac-449b8ac32f4b"),
		Text:   "<b>Émilie</b> & \"Zoé\"\u2028\t\x01 l’Église \U0001F600",
		Custom: map[string]string{"Civilité": "Mme", "Adresse": "1 rue <x>", "": "vide"}, List: []string{"a", "é"},
		At: at, Quoted: 42, Ratio: 0.1, Big: math.Pow(10, 21), Bytes: []byte("secret\x00"), Raw: json.RawMessage(`{"b":1,"a":[true,null]}`),
		Price: 35438, Any: map[string]any{"n": 1.5, "s": []any{"x", nil}}, hidden: "no"}
	e.P.Server.Group("").Get("/test/answer", tenancy.Public, func(c *fiber.Ctx) error { return c.JSON([]answerSample{sample, {}}) })
	resp := e.Do(httptest.NewRequest(http.MethodGet, "/test/answer", nil))
	got, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %v", resp.StatusCode, err)
	}
	want, err := json.Marshal([]answerSample{sample, {}})
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("the answer:\n%s\nencoding/json:\n%s", got, want)
	}
}
