package api

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/httpreq"
)

// deliveryView is a delivery as an admin sees it, with the JSON it sends.
type deliveryView struct {
	*core.WebhookDelivery
	Payload map[string]any `json:"payload"`
}

func viewDelivery(d *core.WebhookDelivery) deliveryView {
	v := deliveryView{WebhookDelivery: d}
	_ = json.Unmarshal(d.Payload, &v.Payload) // written by the server: an object
	return v
}

func (h *webhookHandlers) deliveries(c *gin.Context) {
	p, err := pageOf(c)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	w, err := h.find(c)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	ds, err := h.d.Deliveries.List(c.Request.Context(), w.ID, p.PerPage+1, p.Offset())
	if err != nil {
		h.s.fail(c, err)
		return
	}
	out := make([]deliveryView, len(ds))
	for i, d := range ds {
		out[i] = viewDelivery(d)
	}
	c.JSON(http.StatusOK, pageQueried(c, p, out))
}

func (h *webhookHandlers) redeliver(c *gin.Context) {
	id, err := httpreq.PathID(c, "delivery")
	if err != nil {
		h.s.fail(c, err)
		return
	}
	w, err := h.find(c)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	d, err := h.d.Deliveries.Redeliver(c.Request.Context(), w.ID, id)
	if err != nil {
		h.s.fail(c, err)
		return
	}
	if h.d.Wake != nil {
		h.d.Wake()
	}
	c.JSON(http.StatusCreated, viewDelivery(d))
}
